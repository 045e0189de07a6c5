//! The composition root of the HTTP side: merges every feature's router into one API with its
//! OpenAPI document, then wraps it in the cross-cutting layers from `http` (request ids, panics →
//! 500, body limits, SPEC-format 404/405, rate limits, the catalog cache). It lives here rather
//! than in `http` so the edge toolkit depends on no feature (no import cycle, issue 16).

use std::{any::Any, net::SocketAddr, sync::Arc};

use axum::{
    extract::{connect_info::IntoMakeServiceWithConnectInfo, DefaultBodyLimit, Request},
    http::Method,
    middleware,
    response::{IntoResponse, Response},
    Extension, Router,
};
use tower::util::MapRequestLayer;
use tower::{Layer, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{
    accounts, analytics, cart, catalog,
    error::ApiError,
    http::{
        aliases, compression, doc_completion, docs, etag, in_flight, null_characters, origin,
        rate_limit, request_id, security, JSON_BODY_LIMIT,
    },
    inventory, marketplace, media, notifications, ops, orders, product_images, reviews,
    state::AppState,
    track,
};

/// Every API route with its OpenAPI description, before state is attached.
pub fn api() -> (Router<AppState>, OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(product_images::router())
        .merge(cart::router())
        .merge(orders::router())
        .merge(inventory::router())
        .merge(reviews::router())
        .merge(notifications::router())
        .merge(analytics::router())
        .merge(marketplace::router())
        .merge(ops::api_router());
    let (router, mut openapi) = OpenApiRouter::with_openapi(docs::base_document())
        .nest("/api/v1", v1)
        .merge(ops::router())
        .split_for_parts();
    doc_completion::add_statuses(&mut openapi);
    aliases::document(&mut openapi);
    doc_completion::order(&mut openapi);
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
    crate::telemetry::metrics::install();
    // Here rather than in `telemetry` (as the queue's are): analytics sits above telemetry.
    track::metrics::register();
    let (api, openapi) = api();
    let policy = Arc::new(security::SecurityPolicy {
        allowed_hosts: state.settings.allowed_hosts.clone(),
        trusted_proxies: trusted_proxies.clone(),
        ssl_redirect: state.settings.secure_ssl_redirect,
    });
    let cors = security::cors(&state.settings.cors_allowed_origins);
    let files = media::files_router(&state.settings);
    let limiter = state.rate_limiter.clone();
    // Outermost first. Inside the rate limits: cached answers still count against them. Outside
    // the cache: a URL holding U+0000 is refused before it can be looked up or stored. Analytics
    // outside the cache too, so an answer served from it is recorded like one from its handler.
    let api = api.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(null_characters::reject))
            .layer(middleware::from_fn_with_state(
                state.analytics.clone(),
                track::layer,
            ))
            .layer(middleware::from_fn_with_state(
                state.cache.clone(),
                crate::cache::middleware::layer,
            )),
    );
    let dashboard = crate::dashboard::router().layer(middleware::from_fn_with_state(
        state.cache.clone(),
        crate::cache::middleware::dashboard_layer,
    ));
    with_edge_layers(
        api.merge(docs::router(openapi))
            .merge(files)
            .merge(dashboard),
        policy,
        cors,
        limiter,
    )
    .layer(
        ServiceBuilder::new()
            .layer(Extension(trusted_proxies))
            .layer(middleware::from_fn_with_state(
                state.in_flight.clone(),
                in_flight::track,
            )),
    )
    .with_state(state)
}

/// The cross-cutting behaviour every route (and the fallback) shares, outermost first: request
/// ids, access logs and metrics, response compression (bodies of at least
/// [`crate::http::COMPRESSION_MIN_SIZE`] bytes, images excepted), `ETag`/`304` on anonymous
/// catalog reads, host check and security headers, CORS (so `429`s are readable by browsers;
/// preflights are not counted), rate limits, panics turned into `500`s, the body limit, and
/// SPEC-format 404/405.
///
/// Each group of layers is one `ServiceBuilder` given to one `Router::layer` call: every call
/// boxes each route again, and a request clones the boxed stack below each layer it passes, so
/// a `layer` call per middleware made every request allocate and free a box per layer, over and
/// over (docs/PERFORMANCE.md, log 45).
fn with_edge_layers<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    policy: Arc<security::SecurityPolicy>,
    cors: tower_http::cors::CorsLayer,
    limiter: Arc<rate_limit::RateLimiter>,
) -> Router<S> {
    routes
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(request_id::assign))
                .layer(compression())
                .layer(middleware::from_fn(etag::middleware))
                .layer(middleware::from_fn_with_state(policy, security::enforce))
                .layer(cors)
                .layer(middleware::from_fn_with_state(
                    limiter,
                    rate_limit::middleware,
                ))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT)),
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, routing::get};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_with_the_request_id() {
        let policy = Arc::new(security::SecurityPolicy {
            allowed_hosts: vec!["*".into()],
            trusted_proxies: origin::TrustedProxies(Vec::new()),
            ssl_redirect: false,
        });
        let routes: Router = with_edge_layers(
            Router::new().route("/boom/", get(|| async { panic!("secret detail") as &str })),
            policy,
            security::cors(&[]),
            rate_limit::RateLimiter::disabled(Arc::new(crate::tokens::TokenKeys::new(
                &"test-key".to_owned().into(),
                std::time::Duration::from_secs(60),
                std::time::Duration::from_secs(60),
            ))),
        );
        let request = Request::builder()
            .uri("/boom/")
            .header("host", "localhost")
            .header("x-request-id", "req-42")
            .body(Body::empty())
            .unwrap();
        let response = routes.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 500);
        assert_eq!(response.headers()["x-request-id"], "req-42");
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "headers on errors too"
        );
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "headers on errors too"
        );
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["request_id"], "req-42");
        assert_eq!(body["code"], "server_error");
        assert!(
            !body.to_string().contains("secret detail"),
            "no internal detail leaks: {body}"
        );
    }
}
