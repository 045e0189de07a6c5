//! Health, liveness and readiness probes (SPEC §3.8).

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{db::migrations, state::AppState};

/// The overall health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    /// `healthy` or `unhealthy` (the database is unreachable).
    status: &'static str,
    service: &'static str,
    /// `ok` or `unavailable`.
    database: &'static str,
    /// `disabled` until a cache is configured.
    cache: &'static str,
    version: &'static str,
    uptime_seconds: u64,
}

/// A single probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeReport {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<&'static str>,
}

/// No cache layer exists yet; reported honestly rather than as a fake `ok`.
const CACHE_STATE: &str = "disabled";

async fn report(state: &AppState) -> (StatusCode, Json<HealthReport>) {
    let database_ok = state.db.ping().await;
    let status = if database_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = HealthReport {
        status: if database_ok { "healthy" } else { "unhealthy" },
        service: "nexus",
        database: if database_ok { "ok" } else { "unavailable" },
        cache: CACHE_STATE,
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.started_at.elapsed().as_secs(),
    };
    (status, Json(body))
}

/// Overall health: database and cache.
#[utoipa::path(get, path = "/health/", tag = "ops",
    responses((status = 200, body = HealthReport), (status = 503, description = "database unreachable", body = HealthReport)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<HealthReport>) {
    report(&state).await
}

/// Overall health under the API prefix.
#[utoipa::path(get, path = "/health/", tag = "ops",
    responses((status = 200, body = HealthReport), (status = 503, body = HealthReport)))]
pub async fn api_health(State(state): State<AppState>) -> (StatusCode, Json<HealthReport>) {
    report(&state).await
}

/// The process is up (no dependency is checked).
#[utoipa::path(get, path = "/health/liveness/", tag = "ops", responses((status = 200, body = ProbeReport)))]
pub async fn liveness() -> Json<ProbeReport> {
    Json(ProbeReport {
        status: "alive",
        database: None,
        cache: None,
    })
}

/// Ready for traffic: migrations applied and the database answering.
#[utoipa::path(get, path = "/health/readiness/", tag = "ops",
    responses((status = 200, body = ProbeReport), (status = 503, body = ProbeReport)))]
pub async fn readiness(State(state): State<AppState>) -> (StatusCode, Json<ProbeReport>) {
    let ready = migrations::is_up_to_date(&state.db).await;
    let database = Some(if ready { "ok" } else { "unavailable" });
    if ready {
        (
            StatusCode::OK,
            Json(ProbeReport {
                status: "ready",
                database,
                cache: None,
            }),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(ProbeReport {
                status: "not_ready",
                database,
                cache: None,
            }),
        )
    }
}

/// The database answers `SELECT 1`.
#[utoipa::path(get, path = "/health/db/", tag = "ops",
    responses((status = 200, body = ProbeReport), (status = 503, body = ProbeReport)))]
pub async fn database(State(state): State<AppState>) -> (StatusCode, Json<ProbeReport>) {
    if state.db.ping().await {
        (
            StatusCode::OK,
            Json(ProbeReport {
                status: "healthy",
                database: Some("ok"),
                cache: None,
            }),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(ProbeReport {
                status: "unhealthy",
                database: Some("unavailable"),
                cache: None,
            }),
        )
    }
}

/// The cache layer's state.
#[utoipa::path(get, path = "/health/cache/", tag = "ops", responses((status = 200, body = ProbeReport)))]
pub async fn cache() -> Json<ProbeReport> {
    Json(ProbeReport {
        status: "healthy",
        database: None,
        cache: Some(CACHE_STATE),
    })
}
