//! Every SQL statement on contracts and their status history.

use sqlx::AnyConnection;

use super::{
    status::Status,
    views::{ContractView, StatusChangeView},
};
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

const COLUMNS: &str = "c.id, c.request_id, c.proposal_id, c.client_id, c.provider_id, \
    pr.user_id AS provider_user_id, c.price_cents, c.status, c.created_at";
const FROM: &str = "FROM contracts c JOIN providers pr ON pr.id = c.provider_id";

#[derive(Debug, sqlx::FromRow)]
struct ContractRow {
    id: String,
    request_id: String,
    proposal_id: String,
    client_id: i64,
    provider_id: String,
    provider_user_id: i64,
    price_cents: i64,
    status: String,
    created_at: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct HistoryRow {
    contract_id: String,
    from_status: Option<String>,
    status: String,
    note: String,
    changed_by: Option<i64>,
    created_at: i64,
}

/// A contract with what its handlers need beside the view: whom its provider is.
#[derive(Debug, Clone)]
pub struct Contract {
    pub view: ContractView,
    pub provider_user_id: i64,
}

impl Contract {
    fn from_row(row: ContractRow, history: Vec<StatusChangeView>) -> Self {
        Self {
            provider_user_id: row.provider_user_id,
            view: ContractView {
                id: row.id,
                request: row.request_id,
                proposal: row.proposal_id,
                client: row.client_id,
                provider: row.provider_id,
                price: Money::from_cents(row.price_cents),
                status: row.status,
                status_history: history,
                created_at: format_micros(row.created_at),
            },
        }
    }
}

/// The `ordering` whitelist of the contract list (newest first by default).
pub const SORTABLE: &[Sortable] = &[Sortable::new("created_at", "c.created_at")];

/// The list's filters, parsed.
#[derive(Debug, Default)]
pub struct ContractFilters {
    pub status: Option<&'static str>,
    pub ordering: Vec<OrderKey>,
}

/// Staff see every contract; anyone else the ones they are a party to.
fn push_visible(sql: &mut SqlBuilder, caller: &Caller) {
    if caller.is_staff {
        return;
    }
    sql.push(" AND (c.client_id = ").push_bind(caller.user_id);
    if let Some(provider) = &caller.provider_id {
        sql.push(" OR c.provider_id = ")
            .push_bind(provider.as_str());
    }
    sql.push(")");
}

/// The histories of `contracts`, in ONE query however many there are, oldest change first.
async fn with_history(db: &Db, rows: Vec<ContractRow>) -> Result<Vec<Contract>, ApiError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new(
        "SELECT contract_id, from_status, status, note, changed_by, created_at \
         FROM contract_status_history WHERE contract_id IN (",
    );
    sql.push_list(rows.iter().map(|row| row.id.as_str()))
        .push(") ORDER BY contract_id, id");
    let history: Vec<HistoryRow> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let changes = history
                .iter()
                .filter(|change| change.contract_id == row.id)
                .map(|change| StatusChangeView {
                    from_status: change.from_status.clone(),
                    status: change.status.clone(),
                    note: change.note.clone(),
                    changed_by: change.changed_by,
                    created_at: format_micros(change.created_at),
                })
                .collect();
            Contract::from_row(row, changes)
        })
        .collect())
}

/// One page of the contracts `caller` may see.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filters: &ContractFilters,
    page: &PageRequest,
) -> Result<Page<ContractView>, ApiError> {
    let push_filters = |sql: &mut SqlBuilder| {
        push_visible(sql, caller);
        if let Some(status) = filters.status {
            sql.push(" AND c.status = ").push_bind(status);
        }
    };
    let mut count = SqlBuilder::new(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) {FROM} WHERE 1 = 1"
    ));
    push_filters(&mut count);
    let total = count.fetch_i64(&db.pool).await?;
    let mut contracts = Vec::new();
    if page.offset() < total {
        let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS} {FROM} WHERE 1 = 1"));
        push_filters(&mut sql);
        listing::push_order_by(
            &mut sql,
            &filters.ordering,
            DefaultOrder::descending("c.created_at"),
            TieBreak::FollowFirst("c.id"),
        );
        sql.push(" LIMIT ")
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
        let rows: Vec<ContractRow> = sql.query_as().fetch_all(&db.pool).await?;
        contracts = with_history(db, rows).await?;
    }
    page.page(total, contracts.into_iter().map(|c| c.view).collect())
}

/// Contract `id` if `caller` may see it.
pub async fn find_visible(
    db: &Db,
    caller: &Caller,
    id: &str,
) -> Result<Option<Contract>, ApiError> {
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS} {FROM} WHERE c.id = "));
    sql.push_bind(id);
    push_visible(&mut sql, caller);
    let row: Option<ContractRow> = sql.query_as().fetch_optional(&db.pool).await?;
    Ok(with_history(db, row.into_iter().collect()).await?.pop())
}

/// The status of contract `id` now, on `conn`.
pub async fn status_of(conn: &mut AnyConnection, id: &str) -> Result<Option<Status>, sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar("SELECT status FROM contracts WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(name.as_deref().and_then(Status::parse))
}

/// What a new contract is made of: the accepted proposal.
#[derive(Debug, Clone)]
pub struct NewContract<'a> {
    pub request_id: &'a str,
    pub proposal_id: &'a str,
    pub client_id: i64,
    pub provider_id: &'a str,
    pub price: Money,
}

/// Inserts an active contract and its first history row (from nothing to `active`, by the
/// client who accepted); returns its id. The unique request and proposal keys are the last guard
/// behind the accept's conditional updates: a second contract is a `409`.
pub async fn open(conn: &mut AnyConnection, new: &NewContract<'_>) -> Result<String, ApiError> {
    let id = ids::new_id();
    let now = now_micros();
    sqlx::query(
        "INSERT INTO contracts (id, request_id, proposal_id, client_id, provider_id, price_cents, \
         status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7)",
    )
    .bind(&id)
    .bind(new.request_id)
    .bind(new.proposal_id)
    .bind(new.client_id)
    .bind(new.provider_id)
    .bind(new.price.cents())
    .bind(now)
    .execute(&mut *conn)
    .await
    .on_constraint(|violation| match violation {
        Violation::Unique("contracts_request_id_key" | "contracts_proposal_id_key") => Some(
            ApiError::conflict("invalid_state", "This request already has a contract."),
        ),
        _ => None,
    })?;
    record(conn, &id, None, Status::Active, "", new.client_id).await?;
    Ok(id)
}

/// Moves contract `id` from `from` to `to` if it is still in `from`: of two racing moves, one
/// sees the row. `false` when it had moved meanwhile.
pub async fn move_status(
    conn: &mut AnyConnection,
    id: &str,
    from: Status,
    to: Status,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE contracts SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to.as_str())
    .bind(now_micros())
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Appends a history row.
pub async fn record(
    conn: &mut AnyConnection,
    id: &str,
    from: Option<Status>,
    to: Status,
    note: &str,
    changed_by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_status_history (contract_id, from_status, status, note, changed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(from.map(Status::as_str))
    .bind(to.as_str())
    .bind(note)
    .bind(changed_by)
    .bind(now_micros())
    .execute(conn)
    .await?;
    Ok(())
}

/// A contract as the staff dashboard's list shows it: the parties by name.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct StaffContractRow {
    pub id: String,
    pub client_id: i64,
    pub client_email: String,
    pub provider_id: String,
    pub provider_name: String,
    pub price_cents: i64,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const STAFF_COLUMNS: &str = "SELECT c.id, c.client_id, u.email AS client_email, c.provider_id, \
    pr.display_name AS provider_name, c.price_cents, c.status, c.created_at, c.updated_at \
    FROM contracts c JOIN providers pr ON pr.id = c.provider_id JOIN users u ON u.id = c.client_id";

/// One page of every contract for staff, open disputes first, then newest first.
pub async fn staff_list(
    db: &Db,
    status: Option<&str>,
    page: &PageRequest,
) -> Result<Page<StaffContractRow>, ApiError> {
    let push_filter = |sql: &mut SqlBuilder| {
        if let Some(status) = status {
            sql.push(" AND c.status = ").push_bind(status);
        }
    };
    let mut count = SqlBuilder::new("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts c WHERE 1 = 1");
    push_filter(&mut count);
    let total = count.fetch_i64(&db.pool).await?;
    let mut rows = Vec::new();
    if page.offset() < total {
        let mut sql = SqlBuilder::new(&format!("{STAFF_COLUMNS} WHERE 1 = 1"));
        push_filter(&mut sql);
        sql.push(
            " ORDER BY CASE WHEN c.status = 'disputed' THEN 0 ELSE 1 END, \
             c.created_at DESC, c.id DESC LIMIT ",
        )
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
        rows = sql.query_as().fetch_all(&db.pool).await?;
    }
    page.page(total, rows)
}

/// Contract `id` as the staff list shows it.
pub async fn staff_find(db: &Db, id: &str) -> Result<Option<StaffContractRow>, ApiError> {
    let mut sql = SqlBuilder::new(&format!("{STAFF_COLUMNS} WHERE c.id = "));
    sql.push_bind(id);
    Ok(sql.query_as().fetch_optional(&db.pool).await?)
}

/// The contract figures of a period (`[start, end)` in epoch micros) and of now.
#[derive(Debug, Clone, Default, serde::Serialize, sqlx::FromRow)]
pub struct ContractFigures {
    /// Contracts opened in the period.
    pub created: i64,
    /// Contracts completed in the period (a completed contract is final: its `updated_at` is
    /// when it was completed).
    pub completed: i64,
    /// The prices of those completed contracts.
    pub revenue_cents: i64,
    /// Open disputes now, whatever the period.
    pub disputed_now: i64,
}

/// A provider by the revenue of the contracts they completed in a period.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct TopProvider {
    pub provider_id: String,
    pub display_name: String,
    pub completed: i64,
    pub revenue_cents: i64,
}

/// The period's figures: one query of four index range counts (`contracts_created_idx`,
/// `contracts_status_idx` twice), and one grouping of the period's completed contracts.
pub async fn figures(
    db: &Db,
    start: i64,
    end: i64,
) -> Result<(ContractFigures, Vec<TopProvider>), ApiError> {
    let completed =
        "FROM contracts WHERE status = 'completed' AND updated_at >= $1 AND updated_at < $2";
    let figures: ContractFigures = sqlx::query_as(&format!(
        "SELECT \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE created_at >= $1 AND created_at < $2) AS created, \
         (SELECT CAST(COUNT(*) AS BIGINT) {completed}) AS completed, \
         (SELECT CAST(COALESCE(SUM(price_cents), 0) AS BIGINT) {completed}) AS revenue_cents, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE status = 'disputed') AS disputed_now"
    ))
    .bind(start)
    .bind(end)
    .fetch_one(&db.pool)
    .await?;
    let top: Vec<TopProvider> = sqlx::query_as(
        "SELECT c.provider_id, pr.display_name, CAST(COUNT(*) AS BIGINT) AS completed, \
         CAST(SUM(c.price_cents) AS BIGINT) AS revenue_cents \
         FROM contracts c JOIN providers pr ON pr.id = c.provider_id \
         WHERE c.status = 'completed' AND c.updated_at >= $1 AND c.updated_at < $2 \
         GROUP BY c.provider_id, pr.display_name \
         ORDER BY revenue_cents DESC, c.provider_id LIMIT 5",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&db.pool)
    .await?;
    Ok((figures, top))
}
