//! Every SQL statement on service requests, and the bidding statements that move a request's
//! proposals with it (rejecting the pending ones when it is cancelled or awarded).

use sqlx::AnyConnection;

use super::{caller::Caller, request::RequestWrite, views::RequestView};
use crate::{
    db::{now_micros, types::format_micros, Db, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    http::pagination::{Page, PageRequest},
    marketplace::{
        ids,
        listing::{self, DefaultOrder, OrderKey, Sortable, TieBreak},
    },
    money::Money,
    validation::messages,
};

const COLUMNS: &str = "r.id, r.client_id, r.category_id, r.title, r.description, \
    r.budget_min_cents, r.budget_max_cents, r.deadline, r.status, r.proposals_count, r.created_at";

/// The `ordering` whitelist of the request list.
pub const SORTABLE: &[Sortable] = &[
    Sortable::new("created_at", "r.created_at"),
    Sortable::nullable("deadline", "r.deadline"),
    Sortable::nullable("budget_max", "r.budget_max_cents"),
];

/// A request as [`COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
struct RequestRow {
    id: String,
    client_id: i64,
    category_id: Option<String>,
    title: String,
    description: String,
    budget_min_cents: Option<i64>,
    budget_max_cents: Option<i64>,
    deadline: Option<String>,
    status: String,
    proposals_count: i64,
    created_at: i64,
}

impl From<RequestRow> for RequestView {
    fn from(row: RequestRow) -> Self {
        Self {
            id: row.id,
            client: row.client_id,
            category: row.category_id,
            title: row.title,
            description: row.description,
            budget_min: row.budget_min_cents.map(Money::from_cents),
            budget_max: row.budget_max_cents.map(Money::from_cents),
            deadline: row.deadline,
            status: row.status,
            proposals_count: row.proposals_count,
            created_at: format_micros(row.created_at),
        }
    }
}

/// The list's filters, parsed.
#[derive(Debug, Default)]
pub struct RequestFilters {
    pub status: Option<&'static str>,
    pub category: Option<String>,
    pub search: Option<String>,
    pub ordering: Vec<OrderKey>,
}

/// Appends the visibility rule (SPEC §3.12): staff see every request; others their own, and a
/// provider also every open request and every request they proposed on.
fn push_visible(sql: &mut SqlBuilder, caller: &Caller) {
    if caller.is_staff {
        return;
    }
    sql.push(" AND (r.client_id = ").push_bind(caller.user_id);
    if let Some(provider) = &caller.provider_id {
        sql.push(
            " OR r.status = 'open' OR EXISTS (SELECT 1 FROM proposals p \
             WHERE p.request_id = r.id AND p.provider_id = ",
        )
        .push_bind(provider.as_str())
        .push(")");
    }
    sql.push(")");
}

fn push_filters(sql: &mut SqlBuilder, caller: &Caller, filters: &RequestFilters) {
    push_visible(sql, caller);
    if let Some(status) = filters.status {
        sql.push(" AND r.status = ").push_bind(status);
    }
    if let Some(category) = &filters.category {
        sql.push(" AND r.category_id = ")
            .push_bind(category.as_str());
    }
    listing::push_search(
        sql,
        &["r.title", "r.description"],
        filters.search.as_deref(),
    );
}

/// One page of the requests `caller` may see.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filters: &RequestFilters,
    page: &PageRequest,
) -> Result<Page<RequestView>, ApiError> {
    let mut count =
        SqlBuilder::new("SELECT CAST(COUNT(*) AS BIGINT) FROM service_requests r WHERE 1 = 1");
    push_filters(&mut count, caller, filters);
    let total = count.fetch_i64(&db.pool).await?;
    let mut rows = Vec::new();
    if page.offset() < total {
        let mut sql = SqlBuilder::new(&format!(
            "SELECT {COLUMNS} FROM service_requests r WHERE 1 = 1"
        ));
        push_filters(&mut sql, caller, filters);
        listing::push_order_by(
            &mut sql,
            &filters.ordering,
            DefaultOrder::descending("r.created_at"),
            TieBreak::FollowFirst("r.id"),
        );
        sql.push(" LIMIT ")
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
        let found: Vec<RequestRow> = sql.query_as().fetch_all(&db.pool).await?;
        rows = found.into_iter().map(Into::into).collect();
    }
    page.page(total, rows)
}

/// Request `id` if `caller` may see it.
pub async fn find_visible(
    db: &Db,
    caller: &Caller,
    id: &str,
) -> Result<Option<RequestView>, ApiError> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT {COLUMNS} FROM service_requests r WHERE r.id = "
    ));
    sql.push_bind(id);
    push_visible(&mut sql, caller);
    let row: Option<RequestRow> = sql.query_as().fetch_optional(&db.pool).await?;
    Ok(row.map(Into::into))
}

/// Request `id` as it is now, on `conn` (inside a writing transaction).
pub async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<RequestView>, ApiError> {
    let row: Option<RequestRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM service_requests r WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// The only foreign key a write names is the category.
fn violation_error(violation: Violation<'_>, category: Option<&str>) -> Option<ApiError> {
    match (violation, category) {
        (Violation::ForeignKey, Some(category)) => Some(FieldErrors::single(
            "category",
            messages::missing_reference(category),
        )),
        _ => None,
    }
}

fn cents(money: Option<Option<Money>>) -> Option<i64> {
    money.flatten().map(Money::cents)
}

/// Inserts `client`'s new open request; returns its id.
pub async fn insert(db: &Db, client: i64, request: &RequestWrite) -> Result<String, ApiError> {
    let id = ids::new_id();
    let now = now_micros();
    let category = request.category.clone().flatten();
    let mut conn = db.write_connection().await?;
    sqlx::query(
        "INSERT INTO service_requests (id, client_id, category_id, title, description, \
         budget_min_cents, budget_max_cents, deadline, status, proposals_count, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', 0, $9, $9)",
    )
    .bind(&id)
    .bind(client)
    .bind(category.as_deref())
    .bind(request.title.as_deref().unwrap_or_default())
    .bind(request.description.as_deref().unwrap_or_default())
    .bind(cents(request.budget_min))
    .bind(cents(request.budget_max))
    .bind(request.deadline.flatten().map(|d| d.to_string()))
    .bind(now)
    .execute(&mut *conn)
    .await
    .on_constraint(|v| violation_error(v, category.as_deref()))?;
    Ok(id)
}

/// Applies a PATCH to `client`'s request while it is open; `false` when it is not (any more).
pub async fn update(
    db: &Db,
    id: &str,
    client: i64,
    changes: &RequestWrite,
) -> Result<bool, ApiError> {
    let mut sql = SqlBuilder::new("UPDATE service_requests SET updated_at = ");
    sql.push_bind(now_micros());
    if let Some(category) = &changes.category {
        sql.push(", category_id = ").push_bind(category.clone());
    }
    if let Some(title) = &changes.title {
        sql.push(", title = ").push_bind(title.as_str());
    }
    if let Some(description) = &changes.description {
        sql.push(", description = ").push_bind(description.as_str());
    }
    if let Some(budget) = changes.budget_min {
        sql.push(", budget_min_cents = ")
            .push_bind(budget.map(Money::cents));
    }
    if let Some(budget) = changes.budget_max {
        sql.push(", budget_max_cents = ")
            .push_bind(budget.map(Money::cents));
    }
    if let Some(deadline) = changes.deadline {
        sql.push(", deadline = ")
            .push_bind(deadline.map(|d| d.to_string()));
    }
    sql.push(" WHERE id = ")
        .push_bind(id)
        .push(" AND client_id = ")
        .push_bind(client)
        .push(" AND status = 'open'");
    let category = changes.category.clone().flatten();
    let mut conn = db.write_connection().await?;
    let done = sql
        .query()
        .execute(&mut *conn)
        .await
        .on_constraint(|v| violation_error(v, category.as_deref()))?;
    Ok(done.rows_affected() == 1)
}

/// Moves request `id` from `open` to `status` (`awarded`, `cancelled`): the lock point of an
/// accept or a cancel, so of two racing moves exactly one sees a row. `false` when it was not open.
pub async fn leave_open(
    conn: &mut AnyConnection,
    id: &str,
    status: &'static str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE service_requests SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'open'",
    )
    .bind(status)
    .bind(now_micros())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes request `id` (its contract was completed or cancelled).
pub async fn close(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE service_requests SET status = 'closed', updated_at = $1 WHERE id = $2")
        .bind(now_micros())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a new proposal on request `id` while it is open: the conditional update takes the
/// request's row lock, so a proposal and an accept (or cancel) of the same request are ordered,
/// and a proposal never lands pending on a request that already left `open`. `false` when the
/// request is not open.
pub async fn count_proposal(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE service_requests SET proposals_count = proposals_count + 1 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uncounts a withdrawn proposal of request `id`.
pub async fn uncount_proposal(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE service_requests SET proposals_count = proposals_count - 1 \
         WHERE id = $1 AND proposals_count > 0",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A proposal rejected because its request left `open`, and whom to tell.
#[derive(Debug, sqlx::FromRow)]
pub struct Rejected {
    pub proposal_id: String,
    pub provider_user_id: i64,
}

/// Rejects request `id`'s pending proposals (the accepted one is no longer pending); returns
/// them with their providers' users, to notify.
pub async fn reject_pending(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Vec<Rejected>, sqlx::Error> {
    let rejected: Vec<Rejected> = sqlx::query_as(
        "SELECT p.id AS proposal_id, pr.user_id AS provider_user_id FROM proposals p \
         JOIN providers pr ON pr.id = p.provider_id \
         WHERE p.request_id = $1 AND p.status = 'pending' ORDER BY p.created_at, p.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE proposals SET status = 'rejected', updated_at = $1 \
         WHERE request_id = $2 AND status = 'pending'",
    )
    .bind(now_micros())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(rejected)
}

/// A request as the staff dashboard's list shows it: its client's email, its category's name.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct StaffRequestRow {
    pub id: String,
    pub title: String,
    pub client_id: i64,
    pub client_email: String,
    pub category: Option<String>,
    pub status: String,
    pub proposals_count: i64,
    pub created_at: i64,
}

/// One page of every request for staff, newest first: `status` exactly, `search` a
/// case-insensitive substring of the title.
pub async fn staff_list(
    db: &Db,
    status: Option<&str>,
    search: Option<&str>,
    page: &PageRequest,
) -> Result<Page<StaffRequestRow>, ApiError> {
    let push_filters = |sql: &mut SqlBuilder| {
        if let Some(status) = status {
            sql.push(" AND r.status = ").push_bind(status);
        }
        listing::push_search(sql, &["r.title"], search);
    };
    let mut count =
        SqlBuilder::new("SELECT CAST(COUNT(*) AS BIGINT) FROM service_requests r WHERE 1 = 1");
    push_filters(&mut count);
    let total = count.fetch_i64(&db.pool).await?;
    let mut rows = Vec::new();
    if page.offset() < total {
        let mut sql = SqlBuilder::new(
            "SELECT r.id, r.title, r.client_id, u.email AS client_email, \
             sc.name AS category, r.status, r.proposals_count, r.created_at \
             FROM service_requests r JOIN users u ON u.id = r.client_id \
             LEFT JOIN service_categories sc ON sc.id = r.category_id WHERE 1 = 1",
        );
        push_filters(&mut sql);
        sql.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ")
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
        rows = sql.query_as().fetch_all(&db.pool).await?;
    }
    page.page(total, rows)
}
