//! The HTTP edge: one router assembled from the feature routers, plus the cross-cutting layers
//! (request ids, panics → 500, body limits, SPEC-format 404/405).

pub mod aliases;
pub mod auth;
pub mod docs;
pub mod extract;
pub mod origin;
pub mod pagination;
pub mod request_id;

use std::{any::Any, net::SocketAddr};

use axum::{
    extract::{connect_info::IntoMakeServiceWithConnectInfo, DefaultBodyLimit, Request},
    http::Method,
    middleware,
    response::{IntoResponse, Response},
    Extension, Router,
};
use tower::util::MapRequestLayer;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{accounts, catalog, error::ApiError, ops, state::AppState};

/// JSON bodies above this size are refused with `413` (SPEC §3.8).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Every API route with its OpenAPI description, before state is attached.
pub fn api() -> (Router<AppState>, OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(ops::api_router());
    let (router, mut openapi) = OpenApiRouter::with_openapi(docs::base_document())
        .nest("/api/v1", v1)
        .merge(ops::router())
        .split_for_parts();
    aliases::document(&mut openapi);
    (router, openapi)
}

/// The complete application: routes, documentation pages and layers, with path normalisation
/// applied before routing.
pub fn app(
    state: AppState,
    trusted_proxies: origin::TrustedProxies,
) -> IntoMakeServiceWithConnectInfo<NormalisedRouter, SocketAddr> {
    let normalised = MapRequestLayer::new(aliases::normalise as fn(Request) -> Request)
        .layer(router(state, trusted_proxies));
    axum::ServiceExt::<Request>::into_make_service_with_connect_info(normalised)
}

/// Routes and layers, without the path normalisation (which must run before routing).
pub fn router(state: AppState, trusted_proxies: origin::TrustedProxies) -> Router {
    let (api, openapi) = api();
    api.merge(docs::router(openapi))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(request_id::assign))
        .layer(Extension(trusted_proxies))
        .with_state(state)
}

/// The router wrapped in the path normalisation.
pub type NormalisedRouter = tower::util::MapRequest<Router, fn(Request) -> Request>;

async fn route_not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::method_not_allowed(method.as_str())
}

/// A panic in a handler becomes a logged `500` with the request id, never a dropped connection.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}
