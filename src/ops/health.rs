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
    /// `ok`, `degraded` (Redis is failing: reads go uncached) or `disabled` (`CACHE_ENABLED=false`).
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

/// The cache probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CacheReport {
    /// Always `healthy`: a failing cache degrades to uncached reads, never to errors.
    status: &'static str,
    /// `in-process`, `redis`, `degraded` (Redis failing) or `disabled`.
    cache: &'static str,
    /// Catalog reads answered from the cache since the process started.
    hits: u64,
    /// Cacheable catalog reads that went to the database.
    misses: u64,
}

async fn report(state: &AppState) -> (StatusCode, Json<HealthReport>) {
    let database_ok = state.db.ping().await;
    let cache = match state.cache.stats().await.state {
        "degraded" => "degraded",
        "disabled" => "disabled",
        _ => "ok",
    };
    let status = if database_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = HealthReport {
        status: if database_ok { "healthy" } else { "unhealthy" },
        service: "nexus",
        database: if database_ok { "ok" } else { "unavailable" },
        cache,
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.started_at.elapsed().as_secs(),
    };
    (status, Json(body))
}

/// Overall health: database and cache.
#[utoipa::path(get, path = "/health/", tag = "operations",
    responses((status = 200, body = HealthReport), (status = 503, description = "database unreachable", body = HealthReport)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<HealthReport>) {
    report(&state).await
}

/// Overall health under the API prefix.
#[utoipa::path(get, path = "/health/", tag = "operations",
    responses((status = 200, body = HealthReport), (status = 503, body = HealthReport)))]
pub async fn api_health(State(state): State<AppState>) -> (StatusCode, Json<HealthReport>) {
    report(&state).await
}

/// The process is up (no dependency is checked).
#[utoipa::path(get, path = "/health/liveness/", tag = "operations", responses((status = 200, body = ProbeReport)))]
pub async fn liveness() -> Json<ProbeReport> {
    Json(ProbeReport {
        status: "alive",
        database: None,
        cache: None,
    })
}

/// Ready for traffic: migrations applied and the database answering.
#[utoipa::path(get, path = "/health/readiness/", tag = "operations",
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
#[utoipa::path(get, path = "/health/db/", tag = "operations",
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
#[utoipa::path(get, path = "/health/cache/", tag = "operations", responses((status = 200, body = CacheReport)))]
pub async fn cache(State(state): State<AppState>) -> Json<CacheReport> {
    let stats = state.cache.stats().await;
    Json(CacheReport {
        status: "healthy",
        cache: stats.state,
        hits: stats.hits,
        misses: stats.misses,
    })
}
