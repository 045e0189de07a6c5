//! Every statement of the marketplace figures: counts grouped by status, the provider's services
//! with their views, and the raw rows of the monthly series.

use sqlx::AnyConnection;

use super::monthly::Activity;
use crate::{
    db::{Flag, Param, SqlBuilder},
    error::ApiError,
};

/// The caller's provider profile with its rating.
#[derive(Debug, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub rating_sum: i64,
    pub reviews_count: i64,
}

/// One of the provider's services, with its views over the retained events.
#[derive(Debug, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: String,
    pub title: String,
    pub is_active: Flag,
    pub likes_count: i64,
    pub rating_sum: i64,
    pub reviews_count: i64,
    pub views: i64,
}

/// A count of rows at one status.
#[derive(Debug, sqlx::FromRow)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// A category the client asked for, and how often.
#[derive(Debug, sqlx::FromRow)]
pub struct CategoryCount {
    pub id: String,
    pub name: String,
    pub requests: i64,
}

/// A search over services, and when.
#[derive(Debug, sqlx::FromRow)]
pub struct SearchRow {
    pub query: String,
    pub occurred_at: i64,
}

/// `user_id`'s provider profile, if they have one.
pub async fn provider_of(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<ProviderRow>, ApiError> {
    Ok(
        sqlx::query_as("SELECT id, rating_sum, reviews_count FROM providers WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The provider's services, most viewed first. Views are counted from `service_view` events
/// (the partial index on `service_id` answers each count).
pub async fn services(
    conn: &mut AnyConnection,
    provider_id: &str,
) -> Result<Vec<ServiceRow>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.title, s.is_active, s.likes_count, s.rating_sum, s.reviews_count, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM analytics_events e \
          WHERE e.service_id = s.id AND e.kind = 'service_view') AS views \
         FROM services s WHERE s.provider_id = $1 ORDER BY views DESC, s.created_at, s.id",
    )
    .bind(provider_id)
    .fetch_all(conn)
    .await?)
}

/// The provider's proposals by status.
pub async fn proposals_by_status(
    conn: &mut AnyConnection,
    provider_id: &str,
) -> Result<Vec<StatusCount>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS count FROM proposals \
         WHERE provider_id = $1 GROUP BY status",
    )
    .bind(provider_id)
    .fetch_all(conn)
    .await?)
}

/// Contracts by status, and the prices of the completed ones, of one party: the provider
/// (`column` = `provider_id`) or the client (`client_id`).
async fn contracts_of(
    conn: &mut AnyConnection,
    column: &str,
    party: Param,
) -> Result<(Vec<StatusCount>, i64), ApiError> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT status, CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(price_cents), 0) AS BIGINT) \
         FROM contracts WHERE {column} = "
    ));
    sql.push_bind(party).push(" GROUP BY status");
    let rows: Vec<(String, i64, i64)> = sql.query_as().fetch_all(conn).await?;
    let completed_cents = rows
        .iter()
        .filter(|(status, _, _)| status == "completed")
        .map(|(_, _, cents)| cents)
        .sum();
    let counts = rows
        .into_iter()
        .map(|(status, count, _)| StatusCount { status, count })
        .collect();
    Ok((counts, completed_cents))
}

/// The provider's contracts by status, and what the completed ones earned (cents).
pub async fn provider_contracts(
    conn: &mut AnyConnection,
    provider_id: &str,
) -> Result<(Vec<StatusCount>, i64), ApiError> {
    contracts_of(conn, "provider_id", provider_id.into()).await
}

/// The client's contracts by status, and what the completed ones cost (cents).
pub async fn client_contracts(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<(Vec<StatusCount>, i64), ApiError> {
    contracts_of(conn, "client_id", user_id.into()).await
}

/// The provider's proposals and completed contracts since `since` (epoch micros).
pub async fn activity(
    conn: &mut AnyConnection,
    provider_id: &str,
    since: i64,
) -> Result<Activity, ApiError> {
    let proposals: Vec<(i64, String)> = sqlx::query_as(
        "SELECT created_at, status FROM proposals WHERE provider_id = $1 AND created_at >= $2",
    )
    .bind(provider_id)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let completions: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT h.created_at, c.price_cents FROM contract_status_history h \
         JOIN contracts c ON c.id = h.contract_id \
         WHERE c.provider_id = $1 AND h.status = 'completed' AND h.created_at >= $2",
    )
    .bind(provider_id)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Activity {
        proposals: proposals
            .into_iter()
            .map(|(at, status)| (at, status == "accepted"))
            .collect(),
        completions,
    })
}

/// The client's requests by status.
pub async fn requests_by_status(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<StatusCount>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS count FROM service_requests \
         WHERE client_id = $1 GROUP BY status",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The five categories the client posted most requests in.
pub async fn favourite_categories(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<CategoryCount>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.name, CAST(COUNT(*) AS BIGINT) AS requests FROM service_requests r \
         JOIN service_categories c ON c.id = r.category_id WHERE r.client_id = $1 \
         GROUP BY c.id, c.name ORDER BY requests DESC, c.name, c.id LIMIT 5",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The client's last ten searches over services.
pub async fn recent_searches(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<SearchRow>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT query, occurred_at FROM analytics_events \
         WHERE user_id = $1 AND kind = 'marketplace_search' AND query IS NOT NULL \
         ORDER BY occurred_at DESC, id DESC LIMIT 10",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}
