//! The test process's log subscriber: it keeps every `nexus::security` event and every access
//! line (with its request span's fields) of the in-process servers so tests can look them up by
//! request id (tests run in parallel, so the id is what tells them apart), and prints all logs
//! to stderr when `TEST_LOG` is set.
//!
//! It is installed once, before the first server starts: `tracing` caches per call site whether
//! anyone listens, process-wide, so a subscriber that appears while other threads are already
//! logging (a thread-local one in a unit test) can miss spans.

use std::sync::Mutex;

use serde_json::{Map, Value};
use tracing::{
    field::{Field, Visit},
    span, Event, Subscriber,
};
use tracing_subscriber::{
    filter::{filter_fn, EnvFilter},
    layer::{Context, SubscriberExt},
    registry::LookupSpan,
    util::SubscriberInitExt,
    Layer,
};

/// Where `http::request_id::assign` logs the access line.
const ACCESS_TARGET: &str = "nexus::http::request_id";

/// One captured event: its fields (the message under `message`).
pub type Fields = Map<String, Value>;

static SECURITY_EVENTS: Mutex<Vec<Fields>> = Mutex::new(Vec::new());
static ACCESS_LINES: Mutex<Vec<Fields>> = Mutex::new(Vec::new());

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
    let access = AccessCapture.with_filter(filter_fn(|meta| meta.target() == ACCESS_TARGET));
    let _ = tracing_subscriber::registry()
        .with(capture)
        .with(access)
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

/// The access line of the request with this `X-Request-Id`: the request span's fields
/// (`request_id`, `route`, `client_ip`, `user_id` …) and the line's own (`status` …).
pub fn access_line(request_id: &str) -> Option<Fields> {
    ACCESS_LINES
        .lock()
        .unwrap()
        .iter()
        .find(|fields| fields.get("request_id").and_then(Value::as_str) == Some(request_id))
        .cloned()
}

/// The fields recorded on a span so far.
struct SpanFields(Fields);

struct AccessCapture;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for AccessCapture {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let mut fields = FieldsVisitor(Map::new());
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.0));
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(SpanFields(fields)) = span.extensions_mut().get_mut::<SpanFields>() {
                let mut visitor = FieldsVisitor(std::mem::take(fields));
                values.record(&mut visitor);
                *fields = visitor.0;
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = FieldsVisitor(Map::new());
        event.record(&mut line);
        if line.0.get("message").and_then(Value::as_str) != Some("request completed") {
            return;
        }
        if let Some(span) = ctx.event_span(event) {
            if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                line.0.extend(fields.clone());
            }
        }
        ACCESS_LINES.lock().unwrap().push(line.0);
    }
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
