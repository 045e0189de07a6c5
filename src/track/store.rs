//! Every SQL statement of capture: the batch INSERT.

use sqlx::Executor;

use super::{
    event::{Action, Event},
    session::SessionKeys,
};
use crate::db::{Db, Param, SqlBuilder};

/// Columns written per event; a batch of 500 binds 5,000 values, far under both engines' limits.
const COLUMNS: &str = "kind, occurred_at, session_key, user_id, ip_prefix, product_id, order_id, \
                       query, filters, result_count";

/// Writes `events` as one multi-row INSERT on the write connection (on SQLite the single writer,
/// so it queues behind checkouts instead of failing with "database is locked").
///
/// The user id goes in through `(SELECT id FROM users WHERE id = $n)`: a user deleted between the
/// request and this write leaves NULL instead of failing the whole batch on the foreign key (the
/// same NULL that `ON DELETE SET NULL` leaves on rows written before the deletion).
pub(super) async fn insert_batch(
    db: &Db,
    keys: &SessionKeys,
    events: &[Event],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let mut sql = SqlBuilder::new(&format!("INSERT INTO analytics_events ({COLUMNS}) VALUES "));
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        let action = &event.action;
        sql.push("(")
            .push_list([
                Param::from(action.kind().as_str()),
                event.occurred_at.into(),
                keys.key(&event.session).into(),
            ])
            .push(", ");
        match event.user_id {
            Some(user_id) => {
                let user = sql.bind(user_id);
                sql.push(&format!("(SELECT id FROM users WHERE id = {user})"));
            }
            None => {
                sql.push("NULL");
            }
        }
        let (query, filters, result_count) = match action {
            Action::Search {
                query,
                filters,
                result_count,
            } => (
                Some(query.clone()),
                Some(filters.clone()),
                Some(*result_count),
            ),
            _ => (None, None, None),
        };
        sql.push(", ")
            .push_list([
                Param::from(event.ip_prefix.map(|ip| ip.to_string())),
                action.product_id().into(),
                action.order_id().into(),
                query.into(),
                filters.into(),
                result_count.into(),
            ])
            .push(")");
    }
    let mut conn = db.write_connection().await?;
    conn.execute(sql.query()).await?;
    Ok(())
}
