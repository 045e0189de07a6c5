//! The analytics endpoints (SPEC §3.7, §5): the staff dashboard and a user's own figures.

use axum::{extract::State, Extension, Json};

use super::{
    dashboard::{self, average},
    figures::FiguresCache,
    period::{today, Period},
    store,
    views::{DashboardView, FavouriteCategoryView, MyFiguresView},
};
use crate::{
    accounts::{CurrentUser, Staff},
    error::ApiError,
    http::extract::QueryPairs,
    money::Money,
    state::AppState,
};

/// The shop's figures over a period (staff): revenue, orders, users, conversion, top products
/// and searches, and a daily series. May lag events by up to 10 seconds.
#[utoipa::path(get, path = "/analytics/dashboard/", tag = "analytics", security(("bearer" = ["staff"])),
    params(
        ("from" = Option<String>, Query, format = Date,
            description = "First day (UTC, `YYYY-MM-DD`, inclusive); default: 29 days before `to`"),
        ("to" = Option<String>, Query, format = Date,
            description = "Last day (UTC, `YYYY-MM-DD`, inclusive); default: today")),
    responses((status = 200, body = DashboardView),
        (status = 400, description = "a malformed date, `from` after `to`, or over 366 days"),
        (status = 401, description = "not signed in"), (status = 403, description = "not staff")))]
pub async fn get_dashboard(
    State(state): State<AppState>,
    Extension(figures): Extension<FiguresCache>,
    Staff(_staff): Staff,
    query: QueryPairs,
) -> Result<Json<DashboardView>, ApiError> {
    let view = dashboard_of(&state, &figures, query.get("from"), query.get("to")).await?;
    Ok(Json(view))
}

/// The dashboard's figures for the period `from`–`to` (either may be missing: the defaults of
/// `GET analytics/dashboard/`), as the API answers them and the staff pages show them.
pub async fn dashboard_of(
    state: &AppState,
    figures: &FiguresCache,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<DashboardView, ApiError> {
    let period = Period::parse(from, to, today())?;
    let mut conn = state.db.pool.acquire().await?;
    dashboard::dashboard(&mut conn, state.db.backend, figures, period).await
}

/// The caller's own spending, order count and favourite categories (their counted orders, all
/// time).
#[utoipa::path(get, path = "/analytics/me/", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = MyFiguresView), (status = 401, description = "not signed in")))]
pub async fn get_my_figures(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<MyFiguresView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let own = store::own_orders(&mut conn, user.id).await?;
    let categories = store::favourite_categories(&mut conn, user.id).await?;
    Ok(Json(MyFiguresView {
        orders: own.orders,
        total_spent: Money::from_cents(own.spent_cents),
        average_order_value: average(own.spent_cents, own.orders),
        favourite_categories: categories
            .into_iter()
            .map(|row| FavouriteCategoryView {
                category_id: row.category_id,
                name: row.name,
                orders: row.orders,
            })
            .collect(),
    }))
}
