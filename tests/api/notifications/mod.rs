//! Notifications (SPEC §3.6) on every backend: the owner's list, reading, deleting, counting,
//! preferences, digests and the live stream.

mod digest;
mod list;
mod preferences;
mod read;
mod shapes;
mod stream;
mod stream_support;

use serde_json::Value;

/// The ids of a paginated list's results, in order.
pub fn ids(page: &Value) -> Vec<i64> {
    page["results"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}
