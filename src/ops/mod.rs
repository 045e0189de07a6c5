//! Operations endpoints: health checks for load balancers and orchestrators, and Prometheus
//! metrics.

mod health;
mod metrics;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// `/health/...` and `/metrics` at the root of the server.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::health))
        .routes(routes!(health::liveness))
        .routes(routes!(health::readiness))
        .routes(routes!(health::database))
        .routes(routes!(health::cache))
        .routes(routes!(metrics::metrics))
}

/// `/api/v1/health/`.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health::api_health))
}
