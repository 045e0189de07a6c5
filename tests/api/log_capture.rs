//! The test process's log subscriber: it keeps every `nexus::security` event of the in-process
//! servers so tests can look them up by request id (tests run in parallel, so the id is what
//! tells their events apart), and prints all logs to stderr when `TEST_LOG` is set.

use std::sync::Mutex;

use serde_json::{Map, Value};
use tracing::{
    field::{Field, Visit},
    Event, Subscriber,
};
use tracing_subscriber::{
    filter::{filter_fn, EnvFilter},
    layer::{Context, SubscriberExt},
    util::SubscriberInitExt,
    Layer,
};

/// One captured event: its fields (the message under `message`).
pub type Fields = Map<String, Value>;

static SECURITY_EVENTS: Mutex<Vec<Fields>> = Mutex::new(Vec::new());

/// Installs the process-wide subscriber (once; later calls do nothing).
pub fn install() {
    let capture = SecurityCapture.with_filter(filter_fn(|meta| {
        meta.target() == nexus::http::security_log::TARGET
    }));
    let print = std::env::var_os("TEST_LOG").is_some().then(|| {
        tracing_subscriber::fmt::layer()
            .compact()
            .with_writer(std::io::stderr)
            .with_filter(EnvFilter::new("debug,sqlx=warn"))
    });
    let _ = tracing_subscriber::registry()
        .with(capture)
        .with(print)
        .try_init();
}

/// The security events logged while serving the request with this `X-Request-Id`.
pub fn security_events(request_id: &str) -> Vec<Fields> {
    SECURITY_EVENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|fields| fields.get("request_id").and_then(Value::as_str) == Some(request_id))
        .cloned()
        .collect()
}

struct SecurityCapture;

impl<S: Subscriber> Layer<S> for SecurityCapture {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = FieldsVisitor(Map::new());
        event.record(&mut fields);
        SECURITY_EVENTS.lock().unwrap().push(fields.0);
    }
}

struct FieldsVisitor(Fields);

impl Visit for FieldsVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
}
