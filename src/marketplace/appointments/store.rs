//! Every SQL statement on appointments. An appointment is always read with its contract's
//! parties (the client user and the provider's user), who alone may see and move it.

use sqlx::{any::AnyRow, Any, AnyConnection, Executor, FromRow, Row};

use super::{
    filters::AppointmentFilters,
    rules::{Side, Status},
    views::AppointmentView,
};
use crate::{
    accounts::AuthUser,
    db::{now_micros, types::format_micros, SqlBuilder},
    error::ApiError,
    marketplace::listing::{self, DefaultOrder, Sortable, TieBreak},
};

/// The `ordering` whitelist of the list (by `starts_at`, soonest first, by default).
pub const SORTABLE: &[Sortable] = &[
    Sortable::new("starts_at", "a.starts_at"),
    Sortable::new("created_at", "a.created_at"),
];

const SELECT: &str = "SELECT a.id, a.contract_id, a.provider_id, a.proposed_by, a.starts_at, \
     a.ends_at, a.location, a.status, a.notes, a.created_at, c.client_id, \
     c.status AS contract_status, p.user_id AS provider_user_id \
     FROM appointments a JOIN contracts c ON c.id = a.contract_id \
     JOIN providers p ON p.id = a.provider_id";

/// An appointment with who may see it and the state of its contract.
#[derive(Debug, Clone)]
pub struct AppointmentRow {
    pub id: String,
    pub contract_id: String,
    pub provider_id: String,
    pub proposed_by: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub location: String,
    pub status: Status,
    pub notes: String,
    pub created_at: i64,
    pub client_id: i64,
    pub contract_status: String,
    pub provider_user_id: i64,
}

impl FromRow<'_, AnyRow> for AppointmentRow {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let status: String = row.try_get("status")?;
        Ok(Self {
            id: row.try_get("id")?,
            contract_id: row.try_get("contract_id")?,
            provider_id: row.try_get("provider_id")?,
            proposed_by: row.try_get("proposed_by")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            location: row.try_get("location")?,
            // The column's CHECK allows only the four names.
            status: Status::parse(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "status".into(),
                source: format!("unknown appointment status {status:?}").into(),
            })?,
            notes: row.try_get("notes")?,
            created_at: row.try_get("created_at")?,
            client_id: row.try_get("client_id")?,
            contract_status: row.try_get("contract_status")?,
            provider_user_id: row.try_get("provider_user_id")?,
        })
    }
}

impl AppointmentRow {
    /// The caller's side, if they are one of the contract's parties.
    pub fn side_of(&self, user_id: i64) -> Option<Side> {
        if user_id == self.proposed_by {
            Some(Side::Proposer)
        } else if user_id == self.client_id || user_id == self.provider_user_id {
            Some(Side::Other)
        } else {
            None
        }
    }

    /// The parties and staff see an appointment; anyone else gets a `404`.
    pub fn visible_to(&self, user: &AuthUser) -> bool {
        user.role.is_staff() || self.side_of(user.id).is_some()
    }

    pub fn view(&self) -> AppointmentView {
        AppointmentView {
            id: self.id.clone(),
            contract: self.contract_id.clone(),
            starts_at: format_micros(self.starts_at),
            ends_at: format_micros(self.ends_at),
            location: self.location.clone(),
            status: self.status,
            notes: self.notes.clone(),
            proposed_by: self.proposed_by,
            created_at: format_micros(self.created_at),
        }
    }
}

/// Appointment `id` with its parties, if it exists.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<Option<AppointmentRow>, ApiError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?)
}

/// A contract `user_id` is a party of: what a new appointment needs to know of it.
#[derive(Debug, sqlx::FromRow)]
pub struct PartyContract {
    pub id: String,
    pub provider_id: String,
    pub client_id: i64,
    pub provider_user_id: i64,
    pub status: String,
}

/// Contract `id` if `user_id` is its client or its provider's user.
pub async fn party_contract(
    conn: &mut AnyConnection,
    id: &str,
    user_id: i64,
) -> Result<Option<PartyContract>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.provider_id, c.client_id, p.user_id AS provider_user_id, c.status \
         FROM contracts c JOIN providers p ON p.id = c.provider_id \
         WHERE c.id = $1 AND (c.client_id = $2 OR p.user_id = $2)",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?)
}

/// A new appointment's stored fields.
pub struct NewRow<'a> {
    pub id: &'a str,
    pub contract: &'a PartyContract,
    pub proposed_by: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub location: &'a str,
    pub notes: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, row: &NewRow<'_>) -> Result<(), ApiError> {
    let now = now_micros();
    sqlx::query(
        "INSERT INTO appointments (id, contract_id, provider_id, proposed_by, starts_at, ends_at, \
         location, status, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', $8, $9, $9)",
    )
    .bind(row.id)
    .bind(&row.contract.id)
    .bind(&row.contract.provider_id)
    .bind(row.proposed_by)
    .bind(row.starts_at)
    .bind(row.ends_at)
    .bind(row.location)
    .bind(row.notes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the provider's row lock for the rest of the transaction, so confirmations of one
/// provider's appointments run one at a time (PostgreSQL; SQLite's `BEGIN IMMEDIATE` already
/// serialises every write transaction). A no-op update is the one row lock both engines accept.
pub async fn lock_provider(conn: &mut AnyConnection, provider_id: &str) -> Result<(), ApiError> {
    sqlx::query("UPDATE providers SET updated_at = updated_at WHERE id = $1")
        .bind(provider_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// True when another of the provider's confirmed appointments overlaps `[starts_at, ends_at)`
/// (half-open: touching ends don't overlap). Reads `appointments_provider_confirmed_idx`.
pub async fn overlaps_confirmed(
    conn: &mut AnyConnection,
    provider_id: &str,
    id: &str,
    starts_at: i64,
    ends_at: i64,
) -> Result<bool, ApiError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM appointments WHERE provider_id = $1 AND status = 'confirmed' \
         AND starts_at < $2 AND ends_at > $3 AND id <> $4 LIMIT 1",
    )
    .bind(provider_id)
    .bind(ends_at)
    .bind(starts_at)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Confirms appointment `id` if it is still proposed at the times the overlap check saw
/// (an edit that slipped in between makes this a no-op); true when it did.
pub async fn confirm(
    conn: &mut AnyConnection,
    id: &str,
    starts_at: i64,
    ends_at: i64,
) -> Result<bool, ApiError> {
    let done = sqlx::query(
        "UPDATE appointments SET status = 'confirmed', updated_at = $1 \
         WHERE id = $2 AND status = 'proposed' AND starts_at = $3 AND ends_at = $4",
    )
    .bind(now_micros())
    .bind(id)
    .bind(starts_at)
    .bind(ends_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves appointment `id` from `from` to `to` if it is still in `from`; true when it did.
pub async fn move_status(
    conn: &mut AnyConnection,
    id: &str,
    from: Status,
    to: Status,
) -> Result<bool, ApiError> {
    let done = sqlx::query(
        "UPDATE appointments SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to.as_str())
    .bind(now_micros())
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The proposer's edit of a still-proposed appointment; true when it applied.
pub async fn edit(
    conn: &mut AnyConnection,
    id: &str,
    starts_at: i64,
    ends_at: i64,
    location: Option<&str>,
    notes: Option<&str>,
) -> Result<bool, ApiError> {
    let mut sql = SqlBuilder::new("UPDATE appointments SET starts_at = ");
    sql.push_bind(starts_at)
        .push(", ends_at = ")
        .push_bind(ends_at);
    if let Some(location) = location {
        sql.push(", location = ").push_bind(location);
    }
    if let Some(notes) = notes {
        sql.push(", notes = ").push_bind(notes);
    }
    sql.push(", updated_at = ")
        .push_bind(now_micros())
        .push(" WHERE id = ")
        .push_bind(id)
        .push(" AND status = 'proposed'");
    let done = sql.query().execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// The `WHERE` clause of a list: what the caller may see, then the filters.
fn list_where(sql: &mut SqlBuilder, filters: &AppointmentFilters) {
    sql.push(" WHERE 1 = 1");
    if let Some(user_id) = filters.viewer {
        let user = sql.bind(user_id);
        sql.push(&format!(
            " AND (c.client_id = {user} OR p.user_id = {user})"
        ));
    }
    if let Some(contract) = &filters.contract {
        sql.push(" AND a.contract_id = ")
            .push_bind(contract.as_str());
    }
    if let Some(status) = filters.status {
        sql.push(" AND a.status = ").push_bind(status.as_str());
    }
    listing::push_search(sql, &["a.location", "a.notes"], filters.search.as_deref());
}

/// How many appointments the list would show.
pub async fn count(db: &crate::db::Db, filters: &AppointmentFilters) -> Result<i64, ApiError> {
    let mut sql = SqlBuilder::new(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM appointments a \
         JOIN contracts c ON c.id = a.contract_id JOIN providers p ON p.id = a.provider_id",
    );
    list_where(&mut sql, filters);
    Ok(sql.fetch_i64(&db.pool).await?)
}

/// One page of the list, in the asked order (id breaks ties).
pub async fn page(
    db: &crate::db::Db,
    filters: &AppointmentFilters,
    limit: i64,
    offset: i64,
) -> Result<Vec<AppointmentRow>, ApiError> {
    let mut sql = SqlBuilder::new(SELECT);
    list_where(&mut sql, filters);
    listing::push_order_by(
        &mut sql,
        &filters.ordering,
        DefaultOrder::ascending("a.starts_at"),
        // The id ascending whatever the first key's direction, as this list always had it.
        TieBreak::Ascending("a.id"),
    );
    sql.push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    Ok(sql.query_as().fetch_all(&db.pool).await?)
}
