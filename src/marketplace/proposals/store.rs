//! Every SQL statement on proposals (the bidding statements that move them with their request,
//! counting and rejecting, are the requests part's: `requests::count_proposal`, `reject_pending`).

use sqlx::AnyConnection;

use super::{request::ProposalWrite, views::ProposalView};
use crate::{
    db::{now_micros, types::format_micros, Db, ResultExt, SqlBuilder, Violation},
    error::ApiError,
    http::pagination::{Page, PageRequest},
    marketplace::{
        ids,
        listing::{self, DefaultOrder, OrderKey, Sortable, TieBreak},
        requests::Caller,
    },
    money::Money,
};

const COLUMNS: &str = "p.id, p.request_id, p.provider_id, p.service_id, p.price_cents, p.message, \
    p.estimated_days, p.status, p.created_at";
const FROM: &str = "FROM proposals p JOIN service_requests r ON r.id = p.request_id";

/// The `ordering` whitelist of proposal lists.
pub const SORTABLE: &[Sortable] = &[
    Sortable::new("created_at", "p.created_at"),
    Sortable::new("price", "p.price_cents"),
];

#[derive(Debug, sqlx::FromRow)]
struct ProposalRow {
    id: String,
    request_id: String,
    provider_id: String,
    service_id: Option<String>,
    price_cents: i64,
    message: String,
    estimated_days: Option<i64>,
    status: String,
    created_at: i64,
}

impl From<ProposalRow> for ProposalView {
    fn from(row: ProposalRow) -> Self {
        Self {
            id: row.id,
            request: row.request_id,
            provider: row.provider_id,
            service: row.service_id,
            price: Money::from_cents(row.price_cents),
            message: row.message,
            estimated_days: row.estimated_days,
            status: row.status,
            created_at: format_micros(row.created_at),
        }
    }
}

/// The list's filters, parsed.
#[derive(Debug, Default)]
pub struct ProposalFilters {
    pub status: Option<&'static str>,
    pub request: Option<String>,
    /// Only the caller's own proposals, even on their own requests.
    pub only_own: bool,
    pub ordering: Vec<OrderKey>,
}

/// A proposal is seen by the provider who made it and by the client of its request, nobody
/// else (staff included: it is the two parties' negotiation).
fn push_visible(sql: &mut SqlBuilder, caller: &Caller, only_own: bool) {
    let provider = caller.provider_id.as_deref();
    match (provider, only_own) {
        (Some(provider), true) => {
            sql.push(" AND p.provider_id = ").push_bind(provider);
        }
        (None, true) => {
            sql.push(" AND 1 = 0");
        }
        (Some(provider), false) => {
            sql.push(" AND (p.provider_id = ")
                .push_bind(provider)
                .push(" OR r.client_id = ")
                .push_bind(caller.user_id)
                .push(")");
        }
        (None, false) => {
            sql.push(" AND r.client_id = ").push_bind(caller.user_id);
        }
    }
}

/// One page of the proposals `caller` may see.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filters: &ProposalFilters,
    page: &PageRequest,
) -> Result<Page<ProposalView>, ApiError> {
    let push_filters = |sql: &mut SqlBuilder| {
        push_visible(sql, caller, filters.only_own);
        if let Some(status) = filters.status {
            sql.push(" AND p.status = ").push_bind(status);
        }
        if let Some(request) = &filters.request {
            sql.push(" AND p.request_id = ").push_bind(request.as_str());
        }
    };
    let mut count = SqlBuilder::new(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) {FROM} WHERE 1 = 1"
    ));
    push_filters(&mut count);
    let total = count.fetch_i64(&db.pool).await?;
    let mut proposals = Vec::new();
    if page.offset() < total {
        let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS} {FROM} WHERE 1 = 1"));
        push_filters(&mut sql);
        listing::push_order_by(
            &mut sql,
            &filters.ordering,
            DefaultOrder::descending("p.created_at"),
            TieBreak::FollowFirst("p.id"),
        );
        sql.push(" LIMIT ")
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
        let rows: Vec<ProposalRow> = sql.query_as().fetch_all(&db.pool).await?;
        proposals = rows.into_iter().map(Into::into).collect();
    }
    page.page(total, proposals)
}

/// Proposal `id` if `caller` may see it.
pub async fn find_visible(
    db: &Db,
    caller: &Caller,
    id: &str,
) -> Result<Option<ProposalView>, ApiError> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS} {FROM} WHERE p.id = "));
    sql.push_bind(id);
    push_visible(&mut sql, caller, false);
    let row: Option<ProposalRow> = sql.query_as().fetch_optional(&db.pool).await?;
    Ok(row.map(Into::into))
}

/// True when service `service_id` is `provider_id`'s.
pub async fn is_own_service(
    db: &Db,
    service_id: &str,
    provider_id: &str,
) -> Result<bool, ApiError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM services WHERE id = $1 AND provider_id = $2")
            .bind(service_id)
            .bind(provider_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// Inserts a pending proposal; returns its id. A second pending proposal of the same provider on
/// the same request breaks the partial unique index: `409 duplicate_proposal`.
pub async fn insert(
    conn: &mut AnyConnection,
    request_id: &str,
    provider_id: &str,
    proposal: &ProposalWrite,
) -> Result<String, ApiError> {
    let id = ids::new_id();
    let now = now_micros();
    sqlx::query(
        "INSERT INTO proposals (id, request_id, provider_id, service_id, price_cents, message, \
         estimated_days, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
    )
    .bind(&id)
    .bind(request_id)
    .bind(provider_id)
    .bind(proposal.service.clone().flatten())
    .bind(proposal.price.unwrap_or_default().cents())
    .bind(proposal.message.as_deref().unwrap_or_default())
    .bind(proposal.estimated_days)
    .bind(now)
    .execute(conn)
    .await
    .on_constraint(|violation| match violation {
        // PostgreSQL names the partial index; SQLite reports its columns (db::constraint).
        Violation::Unique("proposals_one_pending_idx" | "proposals_request_id_provider_id_key") => {
            Some(ApiError::conflict(
                "duplicate_proposal",
                "You already have a pending proposal on this request.",
            ))
        }
        _ => None,
    })?;
    Ok(id)
}

/// Applies a PATCH to `provider_id`'s proposal while it is pending; `false` when it is not.
pub async fn update(
    db: &Db,
    id: &str,
    provider_id: &str,
    changes: &ProposalWrite,
) -> Result<bool, ApiError> {
    let mut sql = SqlBuilder::new("UPDATE proposals SET updated_at = ");
    sql.push_bind(now_micros());
    if let Some(service) = &changes.service {
        sql.push(", service_id = ").push_bind(service.clone());
    }
    if let Some(price) = changes.price {
        sql.push(", price_cents = ").push_bind(price.cents());
    }
    if let Some(message) = &changes.message {
        sql.push(", message = ").push_bind(message.as_str());
    }
    if let Some(days) = changes.estimated_days {
        sql.push(", estimated_days = ").push_bind(days);
    }
    sql.push(" WHERE id = ")
        .push_bind(id)
        .push(" AND provider_id = ")
        .push_bind(provider_id)
        .push(" AND status = 'pending'");
    let mut conn = db.write_connection().await?;
    Ok(sql.query().execute(&mut *conn).await?.rows_affected() == 1)
}

/// Withdraws proposal `id` if it is pending; `false` when it is not (any more).
pub async fn withdraw(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE proposals SET status = 'withdrawn', updated_at = $1 WHERE id = $2 AND status = 'pending'",
    )
    .bind(now_micros())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts proposal `id` if it is pending, returning its price as it is then (a PATCH that
/// committed before the accept counts, none can come after); `None` when it was not pending.
pub async fn accept(conn: &mut AnyConnection, id: &str) -> Result<Option<Money>, sqlx::Error> {
    let price: Option<i64> = sqlx::query_scalar(
        "UPDATE proposals SET status = 'accepted', updated_at = $1 \
         WHERE id = $2 AND status = 'pending' RETURNING price_cents",
    )
    .bind(now_micros())
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(price.map(Money::from_cents))
}

/// What an accept needs to know of a proposal, whoever asks.
#[derive(Debug, sqlx::FromRow)]
pub struct AcceptTarget {
    pub request_id: String,
    pub request_title: String,
    pub client_id: i64,
    pub provider_id: String,
    pub provider_user_id: i64,
}

/// Proposal `id` with its request's client and its provider's user.
pub async fn accept_target(db: &Db, id: &str) -> Result<Option<AcceptTarget>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT p.request_id, r.title AS request_title, r.client_id, p.provider_id, \
         pr.user_id AS provider_user_id \
         FROM proposals p JOIN service_requests r ON r.id = p.request_id \
         JOIN providers pr ON pr.id = p.provider_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?)
}
