//! The OpenAPI document and the pages that show it (Swagger UI at `/api/v1/docs/`, ReDoc at
//! `/api/v1/redoc/`), with their assets compiled into the binary so they work offline.

use axum::{
    body::Bytes,
    http::{header, HeaderValue},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use utoipa::{
    openapi::{
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi as OpenApiDocument,
    },
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Nexus Commerce API", description = "Versioned JSON REST API of the Nexus Commerce shop backend."),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the `bearer` security scheme every protected operation refers to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document's fixed parts; the routers add the paths.
pub fn base_document() -> OpenApiDocument {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

const SWAGGER_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nexus Commerce API</title>
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/swagger-init.js"></script></body></html>"#;

const SWAGGER_INIT: &str = r##"window.ui = SwaggerUIBundle({
  url: "/api/v1/schema/", dom_id: "#swagger-ui", validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout", deepLinking: true
});"##;

const REDOC_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nexus Commerce API</title></head>
<body><redoc spec-url="/api/v1/schema/"></redoc>
<script src="/api/v1/redoc/redoc.standalone.js"></script></body></html>"#;

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `/api/v1/schema/`, `/api/v1/docs/` and `/api/v1/redoc/` with their assets.
/// Generic over the state (it reads none), so `http` knows nothing of the app state.
pub fn router<S: Clone + Send + Sync + 'static>(openapi: OpenApiDocument) -> Router<S> {
    // Serialised from utoipa's own types (not through `serde_json::Value`, whose maps are
    // sorted) so the paths keep the documentation's order (`doc_completion::order`).
    let schema: Bytes = openapi
        .to_json()
        .expect("the OpenAPI document serialises")
        .into();
    Router::new()
        .route(
            "/api/v1/schema/",
            get(move || async move {
                ([(header::CONTENT_TYPE, "application/json")], schema.clone())
            }),
        )
        .route("/api/v1/docs/", get(|| async { Html(SWAGGER_PAGE) }))
        .route(
            "/api/v1/docs/swagger-init.js",
            get(|| async { asset("text/javascript", SWAGGER_INIT.as_bytes()) }),
        )
        .route(
            "/api/v1/docs/swagger-ui-bundle.js",
            get(|| async {
                asset(
                    "text/javascript",
                    include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
                )
            }),
        )
        .route(
            "/api/v1/docs/swagger-ui.css",
            get(|| async {
                asset(
                    "text/css",
                    include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
                )
            }),
        )
        .route("/api/v1/redoc/", get(|| async { Html(REDOC_PAGE) }))
        .route(
            "/api/v1/redoc/redoc.standalone.js",
            get(|| async {
                asset(
                    "text/javascript",
                    include_bytes!("../../assets/redoc/redoc.standalone.js"),
                )
            }),
        )
}
