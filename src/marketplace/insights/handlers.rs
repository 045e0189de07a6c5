//! `GET analytics/provider/` and `GET analytics/client/` (SPEC §3.12).

use axum::{extract::State, Json};
use chrono::Utc;

use super::{
    monthly, store,
    views::{
        ClientFiguresView, ContractsByStatus, FavouriteServiceCategory, ProviderFiguresView,
        RecentSearch, RequestsByStatus, ServiceFigures,
    },
};
use crate::{
    accounts::CurrentUser, db::types::format_micros, error::ApiError, money::Money,
    reviews::Rating, state::AppState,
};

/// An average of `sum` over `count` ratings (0 when none).
fn rating(sum: i64, count: i64) -> Rating {
    Rating(if count == 0 {
        0.0
    } else {
        sum as f64 / count as f64
    })
}

/// The caller's figures as a provider: services with their views, proposals sent and won,
/// contracts by status, revenue from completed contracts, rating and a monthly series. Views
/// may lag by up to 10 seconds and cover the analytics retention window.
#[utoipa::path(get, path = "/analytics/provider/", tag = "marketplace", security(("bearer" = [])),
    responses((status = 200, body = ProviderFiguresView), (status = 401, description = "not signed in"),
        (status = 403, description = "the caller has no provider profile")))]
pub async fn get_provider_figures(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<ProviderFiguresView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let Some(provider) = store::provider_of(&mut conn, user.id).await? else {
        return Err(ApiError::client(
            axum::http::StatusCode::FORBIDDEN,
            "permission_denied",
            "You have no provider profile.",
        ));
    };
    let services = store::services(&mut conn, &provider.id).await?;
    let mut proposals_sent = 0;
    let mut proposals_won = 0;
    for row in store::proposals_by_status(&mut conn, &provider.id).await? {
        proposals_sent += row.count;
        if row.status == "accepted" {
            proposals_won += row.count;
        }
    }
    let (by_status, revenue_cents) = store::provider_contracts(&mut conn, &provider.id).await?;
    let mut contracts = ContractsByStatus::default();
    for row in by_status {
        contracts.add(&row.status, row.count);
    }
    let now = Utc::now();
    let activity = store::activity(&mut conn, &provider.id, monthly::series_start(now)).await?;
    let win_rate = if proposals_sent == 0 {
        0.0
    } else {
        (proposals_won as f64 / proposals_sent as f64 * 10_000.0).round() / 10_000.0
    };
    Ok(Json(ProviderFiguresView {
        provider_id: provider.id,
        services: services.len() as i64,
        active_services: services.iter().filter(|s| s.is_active.0).count() as i64,
        views: services.iter().map(|s| s.views).sum(),
        by_service: services
            .into_iter()
            .map(|s| ServiceFigures {
                rating: rating(s.rating_sum, s.reviews_count),
                service_id: s.id,
                title: s.title,
                is_active: s.is_active.0,
                views: s.views,
                likes_count: s.likes_count,
                reviews_count: s.reviews_count,
            })
            .collect(),
        proposals_sent,
        proposals_won,
        win_rate,
        contracts,
        revenue: Money::from_cents(revenue_cents),
        rating: rating(provider.rating_sum, provider.reviews_count),
        reviews_count: provider.reviews_count,
        monthly: monthly::series(&activity, now),
    }))
}

/// The caller's figures as a client: requests and contracts by status, spending on completed
/// contracts, favourite categories and recent searches over services.
#[utoipa::path(get, path = "/analytics/client/", tag = "marketplace", security(("bearer" = [])),
    responses((status = 200, body = ClientFiguresView), (status = 401, description = "not signed in")))]
pub async fn get_client_figures(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<ClientFiguresView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let mut requests_by_status = RequestsByStatus::default();
    let mut requests = 0;
    for row in store::requests_by_status(&mut conn, user.id).await? {
        requests += row.count;
        requests_by_status.add(&row.status, row.count);
    }
    let (by_status, spent_cents) = store::client_contracts(&mut conn, user.id).await?;
    let mut contracts_by_status = ContractsByStatus::default();
    let mut contracts = 0;
    for row in by_status {
        contracts += row.count;
        contracts_by_status.add(&row.status, row.count);
    }
    let favourite_categories = store::favourite_categories(&mut conn, user.id)
        .await?
        .into_iter()
        .map(|row| FavouriteServiceCategory {
            category_id: row.id,
            name: row.name,
            requests: row.requests,
        })
        .collect();
    let recent_searches = store::recent_searches(&mut conn, user.id)
        .await?
        .into_iter()
        .map(|row| RecentSearch {
            query: row.query,
            searched_at: format_micros(row.occurred_at),
        })
        .collect();
    Ok(Json(ClientFiguresView {
        requests,
        requests_by_status,
        contracts,
        contracts_by_status,
        spending: Money::from_cents(spent_cents),
        favourite_categories,
        recent_searches,
    }))
}
