//! Every SQL statement of capture: the batch INSERT.
//!
//! A batch goes in as one JSON parameter, an array of rows, unpacked by the engine's JSON table
//! function: one statement text (prepared and planned once per connection) and one bound value
//! whatever the batch's size. As a multi-row `VALUES` list it bound 5,000 values per 500 events,
//! and every batch size was a statement of its own, planned anew (docs/PERFORMANCE.md, logs 35
//! and 36). The two engines' functions differ, so the statement is written once per engine, side
//! by side below; the row they read is [`Row`].

use serde::Serialize;
use sqlx::Executor;

use super::{
    event::{Action, Event},
    session::SessionKeys,
};
use crate::db::{Backend, Db};

/// The batch on PostgreSQL: `json_to_recordset` types each key by the column list; a key left
/// out of a row reads as NULL.
///
/// The user id is joined to `users`: a user deleted between the request and this write leaves
/// NULL instead of failing the whole batch on the foreign key (the same NULL that
/// `ON DELETE SET NULL` leaves on rows written before the deletion). Rows keep the batch's order,
/// so ids follow the events' order.
const INSERT_POSTGRES: &str = "INSERT INTO analytics_events (kind, occurred_at, session_key, \
     user_id, ip_prefix, product_id, order_id, query, filters, result_count, service_id) \
     SELECT r.kind, r.occurred_at, r.session_key, u.id, r.ip_prefix, r.product_id, r.order_id, \
     r.query, r.filters, r.result_count, r.service_id \
     FROM ROWS FROM (json_to_recordset($1::json) AS (kind text, occurred_at bigint, \
     session_key text, user_id bigint, ip_prefix text, product_id bigint, order_id bigint, \
     query text, filters text, result_count bigint, service_id text)) WITH ORDINALITY \
     AS r(kind, occurred_at, session_key, user_id, ip_prefix, product_id, order_id, query, \
     filters, result_count, service_id, n) \
     LEFT JOIN users u ON u.id = r.user_id ORDER BY r.n";

/// The same on SQLite: `json_each` yields one array element per row, `json_extract` its keys
/// (NULL when left out); the user id is looked up for the same reason.
const INSERT_SQLITE: &str = "INSERT INTO analytics_events (kind, occurred_at, session_key, \
     user_id, ip_prefix, product_id, order_id, query, filters, result_count, service_id) \
     SELECT json_extract(e.value, '$.kind'), json_extract(e.value, '$.occurred_at'), \
     json_extract(e.value, '$.session_key'), \
     (SELECT id FROM users WHERE id = json_extract(e.value, '$.user_id')), \
     json_extract(e.value, '$.ip_prefix'), json_extract(e.value, '$.product_id'), \
     json_extract(e.value, '$.order_id'), json_extract(e.value, '$.query'), \
     json_extract(e.value, '$.filters'), json_extract(e.value, '$.result_count'), \
     json_extract(e.value, '$.service_id') \
     FROM json_each($1) AS e ORDER BY e.key";

/// One event as the statements read it; empty columns are left out of the JSON.
#[derive(Serialize)]
struct Row<'a> {
    kind: &'static str,
    occurred_at: i64,
    session_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filters: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<&'a str>,
}

impl<'a> Row<'a> {
    fn new(keys: &SessionKeys, event: &'a Event) -> Self {
        let action = &event.action;
        let (query, filters, result_count) = match action {
            Action::Search {
                query,
                filters,
                result_count,
            }
            | Action::MarketplaceSearch {
                query,
                filters,
                result_count,
            } => (
                Some(query.as_str()),
                Some(filters.as_str()),
                Some(*result_count),
            ),
            _ => (None, None, None),
        };
        Row {
            kind: action.kind().as_str(),
            occurred_at: event.occurred_at,
            session_key: keys.key(&event.session),
            user_id: event.user_id,
            ip_prefix: event.ip_prefix.map(|ip| ip.to_string()),
            product_id: action.product_id(),
            order_id: action.order_id(),
            query,
            filters,
            result_count,
            service_id: action.service_id(),
        }
    }
}

/// The batch as the statements' one parameter: a JSON array of [`Row`]s.
fn rows_json(keys: &SessionKeys, events: &[Event]) -> String {
    let rows: Vec<Row<'_>> = events.iter().map(|event| Row::new(keys, event)).collect();
    // Strings, integers and options only: serialising them can't fail.
    serde_json::to_string(&rows).unwrap_or_default()
}

/// Writes `events` as one INSERT on the write connection (on SQLite the single writer, so it
/// queues behind checkouts instead of failing with "database is locked").
pub(super) async fn insert_batch(
    db: &Db,
    keys: &SessionKeys,
    events: &[Event],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let insert = match db.backend {
        Backend::Postgres => INSERT_POSTGRES,
        Backend::Sqlite => INSERT_SQLITE,
    };
    let rows = rows_json(keys, events);
    let mut conn = db.write_connection().await?;
    conn.execute(sqlx::query(insert).bind(rows)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::{event::Captured, session::Session};

    #[test]
    fn a_batch_is_one_json_array_without_its_empty_columns() {
        let keys = SessionKeys::new(&secrecy::SecretString::from("a secret for the test"));
        let view = Event {
            action: Action::ProductView { product_id: 7 },
            occurred_at: 1_700_000_000_000_000,
            user_id: None,
            ip_prefix: Some("203.0.113.0".parse().unwrap()),
            session: Session::Header("tab-1".to_owned()),
        };
        let search = Event {
            action: Action::Search {
                query: "desk \"lamp\"".to_owned(),
                filters: "{}".to_owned(),
                result_count: 0,
            },
            occurred_at: 1_700_000_000_000_001,
            user_id: Some(3),
            ip_prefix: None,
            session: Session::User(3),
        };
        let rows: serde_json::Value =
            serde_json::from_str(&rows_json(&keys, &[view, search])).unwrap();
        let key = |session| serde_json::Value::from(keys.key(&session));
        assert_eq!(
            rows,
            serde_json::json!([
                {"kind": "product_view", "occurred_at": 1_700_000_000_000_000_i64,
                 "session_key": key(Session::Header("tab-1".to_owned())),
                 "ip_prefix": "203.0.113.0", "product_id": 7},
                {"kind": "search", "occurred_at": 1_700_000_000_000_001_i64,
                 "session_key": key(Session::User(3)), "user_id": 3,
                 "query": "desk \"lamp\"", "filters": "{}", "result_count": 0},
            ])
        );
    }

    #[test]
    fn marketplace_events_name_their_service_and_searches_keep_their_own_kind() {
        let keys = SessionKeys::new(&secrecy::SecretString::from("a secret for the test"));
        let service = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
        let events = [
            Captured::service_view(service, None),
            Captured::service_like(4, service),
            Captured::marketplace_search(" Logo  DESIGN ", Default::default(), 2, Some(4)).unwrap(),
        ]
        .map(|captured| Event {
            action: captured.action,
            occurred_at: 1,
            user_id: captured.user_id,
            ip_prefix: None,
            session: Session::Header("tab".to_owned()),
        });
        let rows: serde_json::Value = serde_json::from_str(&rows_json(&keys, &events)).unwrap();
        let column = |row: usize, name: &str| rows[row][name].clone();
        assert_eq!(column(0, "kind"), "service_view");
        assert_eq!(column(0, "service_id"), service);
        assert_eq!(column(1, "kind"), "service_like");
        assert_eq!(column(1, "service_id"), service);
        assert_eq!(column(2, "kind"), "marketplace_search");
        assert_eq!(column(2, "query"), "logo design");
        assert_eq!(column(2, "result_count"), 2);
        assert!(column(2, "service_id").is_null());
    }
}
