//! The OpenAPI document and the documentation pages.

use std::collections::BTreeSet;

use axum::{body::Body, extract::Request};
use nexus::http::{aliases, origin::TrustedProxies, request_id::MatchedRoute};
use serde_json::Value;
use tower::ServiceExt;

use crate::api_test;

/// `(METHOD, path)` for every operation in a document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut set = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                set.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    set
}

/// Fills `{param}` segments with a value any handler parses.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn the_openapi_command_prints_the_served_document() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (_, built) = nexus::http::api();
    assert_eq!(printed, serde_json::to_value(built).unwrap());
    assert_eq!(
        printed["openapi"].as_str().unwrap().chars().next(),
        Some('3')
    );
    assert!(printed["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn routes_are_only_registered_through_documented_routers() {
    // Every API route goes through utoipa-axum's `routes!`, which documents it; a bare
    // `.route(` would serve an undocumented endpoint. Only the documentation pages may.
    let mut offenders = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.ends_with("http/docs.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests may build throwaway routers; only production code is checked.
                let production = text.split("#[cfg(test)]").next().unwrap_or_default();
                if production.contains(".route(\"") {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "undocumented routes in {offenders:?}");
}

api_test! {
    async fn every_documented_operation_is_served(app: TestApp) {
        let (_, doc) = nexus::http::api();
        let doc = serde_json::to_value(doc).unwrap();
        let router = nexus::http::router(app.state().clone(), TrustedProxies(Vec::new()));
        let mut missing = Vec::new();
        for (method, path) in operations(&doc) {
            let request = Request::builder().method(method.as_str()).uri(concrete(&path)).body(Body::empty()).unwrap();
            let request = aliases::normalise(request);
            let canonical = request.uri().path().to_owned();
            let response = router.clone().oneshot(request).await.unwrap();
            let matched = response.extensions().get::<MatchedRoute>().map(|r| concrete(&r.0));
            if response.status() == 405 || matched.as_deref() != Some(canonical.as_str()) {
                missing.push(format!("{method} {path} -> {} {matched:?}", response.status()));
            }
        }
        assert!(missing.is_empty(), "documented but not served: {missing:#?}");
    }

    async fn schema_and_docs_pages_are_served_with_their_assets(app: TestApp) {
        let schema = app.get("schema/").await;
        assert_eq!(schema.status, 200);
        assert!(schema.body["paths"]["/health/"].is_object());
        for (page, asset) in [("docs/", "/api/v1/docs/swagger-ui-bundle.js"), ("redoc/", "/api/v1/redoc/redoc.standalone.js")] {
            let response = app.get(page).await;
            assert_eq!(response.status, 200);
            assert!(response.text.contains(asset), "{page} links {asset}");
            let script = app.get(asset).await;
            assert_eq!(script.status, 200);
            assert!(script.text.len() > 100_000, "{asset} is the real bundle");
        }
        assert_eq!(app.get("/api/v1/docs/swagger-ui.css").await.status, 200);
        assert_eq!(app.get("/api/v1/docs/swagger-init.js").await.status, 200);
    }
}
