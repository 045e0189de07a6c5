//! Response-shape snapshots (the drop-in contract made visible): [`assert_shape!`] stores a body
//! as an insta JSON snapshot with everything that differs between runs or engines redacted, so
//! the same `.snap` file passes on SQLite and on PostgreSQL.
//!
//! A missing or changed snapshot fails the test. Outside CI insta also writes a `.snap.new` next
//! to it for review (`cargo insta review`, or `INSTA_UPDATE=always` then read the diff); with
//! `CI` set it writes nothing.

use insta::internals::Content;
use serde_json::Value;

use crate::helpers::TestApp;

/// Snapshots `$body` (a `serde_json::Value`) as `snapshots/<name>.snap` next to the calling file,
/// after [`portable`] and with the [`settings`] redactions.
#[macro_export]
macro_rules! assert_shape {
    ($app:expr, $name:expr, $body:expr) => {{
        let body = $crate::snapshot::portable(&$app, &$body);
        $crate::snapshot::settings().bind(|| insta::assert_json_snapshot!($name, body));
    }};
}

/// Integer fields that hold a row id (their value depends on sequences, which differ by engine
/// and by what else the test inserted). A field of the same name holding an object is kept.
const ID_FIELDS: &[&str] = &[
    "id",
    "user",
    "product",
    "product_id",
    "category",
    "category_id",
    "brand",
    "parent",
    "order",
    "order_id",
    "actor",
    "review",
    "review_id",
    // The marketplace's user references (its own objects have UUIDs: see `portable`).
    "client",
    "owner",
    "changed_by",
    "proposed_by",
];

/// Timestamps (a `null` one stays `null`: whether it is set is part of the shape).
const TIME_FIELDS: &[&str] = &[
    "created_at",
    "updated_at",
    "date_joined",
    "last_login",
    "date",
    "estimated_delivery",
    "read_at",
    "searched_at",
    // A month of a series that ends with the current one.
    "month",
];

/// Values generated per run: tokens, order and tracking numbers, request ids, and the harness's
/// random user names (`customer_0123456789@example.com`).
const GENERATED_FIELDS: &[&str] = &[
    "access",
    "refresh",
    "order_number",
    "tracking_number",
    "request_id",
    "email",
    "username",
    "user_email",
];

/// The redactions every shape snapshot uses; snapshot files are named after the snapshot alone.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    for field in ID_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| match value {
            Content::U64(_) | Content::I64(_) => Content::from("[id]"),
            other => other,
        });
    }
    for field in TIME_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| {
            redact_string(value, "[time]")
        });
    }
    for field in GENERATED_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| {
            redact_string(value, "[generated]")
        });
    }
    settings
}

/// `text` with every hyphenated UUID in it replaced by `[uuid]`.
fn redact_uuids(text: &str) -> String {
    const LEN: usize = 36;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let candidate = rest.get(..LEN).filter(|c| uuid::Uuid::try_parse(c).is_ok());
        if candidate.is_some_and(|c| c.as_bytes()[8] == b'-') {
            out.push_str("[uuid]");
            rest = &rest[LEN..];
        } else {
            let next = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..next]);
            rest = &rest[next..];
        }
    }
    out
}

/// A string becomes `marker`, except a masked email (`c***@example.com`), which is the shape.
fn redact_string(value: Content, marker: &str) -> Content {
    match value.as_str() {
        Some(text) if !text.contains("***") => Content::from(marker),
        _ => value,
    }
}

/// `body` with the server's address (its port changes every run) replaced by `http://[host]` in
/// every string (absolute URLs of pages, images and the admin index), and every UUID (the
/// marketplace's ids, made per run) by `[uuid]`, alone or inside a text (`/contracts/<id>`).
pub fn portable(app: &TestApp, body: &Value) -> Value {
    match body {
        Value::String(text) => {
            Value::String(redact_uuids(&text.replace(&app.address, "http://[host]")))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| portable(app, v)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), portable(app, value)))
                .collect(),
        ),
        other => other.clone(),
    }
}
