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
    let (_, built) = nexus::startup::api();
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
    // `.route(` would serve an undocumented endpoint. Only the documentation pages and the staff
    // dashboard's HTML pages (no API endpoints, docs/dashboard.md) may.
    let mut offenders = Vec::new();
    let dashboard = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/dashboard"));
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.ends_with("http/docs.rs") && !path.starts_with(&dashboard) {
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
        let (_, doc) = nexus::startup::api();
        let doc = serde_json::to_value(doc).unwrap();
        let router = nexus::startup::router(app.state().clone(), TrustedProxies(Vec::new()));
        let mut missing = Vec::new();
        for (method, path) in operations(&doc) {
            let request = Request::builder()
                .method(method.as_str())
                .uri(concrete(&path))
                .body(Body::empty())
                .unwrap();
            let request = aliases::normalise(request);
            let canonical = request.uri().path().to_owned();
            let response = router.clone().oneshot(request).await.unwrap();
            let matched = response
                .extensions()
                .get::<MatchedRoute>()
                .map(|r| concrete(r.as_str()));
            if response.status() == 405 || matched.as_deref() != Some(canonical.as_str()) {
                missing.push(format!(
                    "{method} {path} -> {} {matched:?}",
                    response.status()
                ));
            }
        }
        assert!(
            missing.is_empty(),
            "documented but not served: {missing:#?}"
        );
    }

    async fn schema_and_docs_pages_are_served_with_their_assets(app: TestApp) {
        let schema = app.get("schema/").await;
        assert_eq!(schema.status, 200);
        assert_eq!(schema.headers["content-type"], "application/json");
        let at = |path: &str| schema.text.find(&format!("\"{path}\":")).unwrap();
        assert!(
            at("/api/v1/auth/users/") < at("/api/v1/admin/"),
            "served in the document's order"
        );
        assert!(at("/metrics") < at("/api/v1/auth/login/"), "aliases last");
        assert!(schema.body["paths"]["/health/"].is_object());
        for (page, asset) in [
            ("docs/", "/api/v1/docs/swagger-ui-bundle.js"),
            ("redoc/", "/api/v1/redoc/redoc.standalone.js"),
        ] {
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

/// The served document as JSON.
fn document() -> Value {
    serde_json::to_value(nexus::startup::api().1).unwrap()
}

/// Every operation of the document: `(METHOD, path, operation)`.
fn each_operation(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch"] {
            if let Some(operation) = item.get(method) {
                all.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    all
}

fn documents(operation: &Value, status: &str) -> bool {
    operation["responses"].get(status).is_some()
}

fn has_query_parameter(operation: &Value, name: &str) -> bool {
    operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" && p["name"] == name))
}

/// `(METHOD path, missing statuses)` of each operation matching `applies` that lacks some of
/// `statuses`.
fn lacking(applies: impl Fn(&Value) -> bool, statuses: &[&str]) -> Vec<String> {
    each_operation(&document())
        .into_iter()
        .filter(|(_, _, operation)| applies(operation))
        .filter_map(|(method, path, operation)| {
            let missing: Vec<_> = statuses
                .iter()
                .filter(|s| !documents(&operation, s))
                .collect();
            (!missing.is_empty()).then(|| format!("{method} {path}: {missing:?}"))
        })
        .collect()
}

#[test]
fn every_paginated_list_documents_invalid_page_and_bad_parameters() {
    let missing = lacking(|op| has_query_parameter(op, "page"), &["400", "404"]);
    assert!(missing.is_empty(), "{missing:#?}");
    // The paginated lists of the API (SPEC §5), aliases aside: 20 of the shop and 13 of the
    // marketplace (§3.12): service categories, skills, companies, providers; services, a
    // service's comments, a provider's services and reviews; requests, proposals, a request's
    // proposals, contracts; appointments.
    let lists = each_operation(&document())
        .into_iter()
        .filter(|(_, _, op)| has_query_parameter(op, "page") && op["tags"][0] != "aliases")
        .count();
    assert_eq!(lists, 20 + 13, "the lists declare their `page` parameter");
}

#[test]
fn every_operation_taking_a_token_documents_401_and_every_role_403() {
    let secured = |op: &Value| {
        op["security"].as_array().is_some_and(|rs| {
            rs.iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        })
    };
    let role = |op: &Value| {
        op["security"].as_array().is_some_and(|rs| {
            rs.iter().any(|r| {
                r["bearer"]
                    .as_array()
                    .is_some_and(|roles| !roles.is_empty())
            })
        })
    };
    assert!(
        lacking(secured, &["401"]).is_empty(),
        "{:#?}",
        lacking(secured, &["401"])
    );
    assert!(
        lacking(role, &["403"]).is_empty(),
        "{:#?}",
        lacking(role, &["403"])
    );
    let doc = document();
    let staff_index = &doc["paths"]["/api/v1/admin/"]["get"];
    assert_eq!(staff_index["security"][0]["bearer"][0], "staff");
    let products = &doc["paths"]["/api/v1/products/"]["get"];
    assert_eq!(
        products["security"][0],
        serde_json::json!({}),
        "a token is optional"
    );
}

#[test]
fn every_operation_with_a_body_documents_400_413_and_415() {
    let with_body = |op: &Value| op.get("requestBody").is_some();
    let missing = lacking(with_body, &["400", "413", "415"]);
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_api_operation_documents_429_and_503_and_probes_neither_429() {
    for (method, path, operation) in each_operation(&document()) {
        let probe = path.starts_with("/health/") || path == "/metrics" || path == "/api/v1/health/";
        assert_eq!(documents(&operation, "429"), !probe, "{method} {path}");
        if !probe {
            assert!(documents(&operation, "503"), "{method} {path}");
        }
    }
}

#[test]
fn every_error_response_has_its_spec_body() {
    let doc = document();
    for (method, path, operation) in each_operation(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    response["content"]["application/json"]["schema"].is_object(),
                    "{method} {path} {status} has no body schema"
                );
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ErrorBody"]["required"],
        serde_json::json!(["detail", "code"])
    );
    assert!(schemas["FieldErrors"]["additionalProperties"]["items"].is_object());
    let conflict = &doc["paths"]["/api/v1/orders/"]["post"]["responses"]["409"];
    assert_eq!(
        conflict["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CheckoutConflict"
    );
    assert!(schemas["CheckoutConflict"]["properties"]["items"].is_object());
}

#[test]
fn tags_come_in_area_order_and_the_paths_follow_them() {
    let doc = document();
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "accounts",
            "catalog",
            "inventory",
            "cart",
            "orders",
            "reviews",
            "notifications",
            "analytics",
            "marketplace",
            "operations",
            "aliases"
        ]
    );
    // The order is the document's own (JSON maps in these tests are sorted).
    let (_, ordered) = nexus::startup::api();
    let mut last = 0;
    for path in ordered.paths.paths.keys() {
        for (method, operation) in doc["paths"][path].as_object().unwrap() {
            let tag = operation["tags"][0].as_str().unwrap_or_default();
            let rank = tags.iter().position(|t| *t == tag);
            let rank =
                rank.unwrap_or_else(|| panic!("{method} {path} has the unknown tag {tag:?}"));
            assert!(
                rank >= last,
                "{method} {path} ({tag}) comes after a later area"
            );
            last = rank;
        }
    }
    let first = ordered.paths.paths.keys().next().unwrap();
    assert_eq!(
        first, "/api/v1/auth/users/",
        "the documentation opens on registration"
    );
}

#[test]
fn alias_paths_are_tagged_as_aliases_of_their_canonical_operation() {
    let doc = document();
    for (alias, canonical) in aliases::ALIASES {
        let item = doc["paths"][alias]
            .as_object()
            .unwrap_or_else(|| panic!("{alias}"));
        for (method, operation) in item {
            assert_eq!(
                operation["tags"],
                serde_json::json!(["aliases"]),
                "{method} {alias}"
            );
            assert_eq!(
                operation["summary"],
                format!("Alias of `{} {canonical}`", method.to_uppercase())
            );
            assert_eq!(
                operation["responses"], doc["paths"][canonical][method]["responses"],
                "{method} {alias} answers as its canonical path"
            );
        }
    }
    for (method, path, operation) in each_operation(&doc) {
        let is_alias = aliases::ALIASES.iter().any(|(alias, _)| *alias == path);
        assert_eq!(
            operation["tags"][0] == "aliases",
            is_alias,
            "{method} {path}"
        );
    }
}

api_test! {
    async fn every_status_a_plain_request_gets_is_documented(app: TestApp) {
        // Every canonical operation, as anonymous, customer and staff: with an empty JSON body,
        // a body that is not JSON, and (on lists) a page past the last.
        let doc = document();
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let mut undocumented = Vec::new();
        for (method, path, operation) in each_operation(&doc) {
            if operation["tags"][0] == "aliases" {
                continue;
            }
            let url = format!("{}{}", app.address, concrete(&path));
            let mut variants = vec![(url.clone(), None)];
            if operation.get("requestBody").is_some() {
                variants.push((url.clone(), Some(("application/json", "{}"))));
                variants.push((url.clone(), Some(("text/plain", "hello"))));
            }
            if has_query_parameter(&operation, "page") {
                variants.push((format!("{url}?page=999"), None));
            }
            for token in [None, Some(&customer.token), Some(&staff.token)] {
                for (url, body) in &variants {
                    let mut request = app.client.request(method.parse().unwrap(), url);
                    if let Some(token) = token {
                        request = request.bearer_auth(token);
                    }
                    if let Some((content_type, body)) = body {
                        request = request.header("content-type", *content_type).body(*body);
                    }
                    let status = request.send().await.unwrap().status();
                    if !documents(&operation, status.as_str()) {
                        undocumented.push(format!("{method} {url} {body:?} -> {status}"));
                    }
                }
            }
        }
        assert!(
            undocumented.is_empty(),
            "undocumented answers: {undocumented:#?}"
        );
    }
}

#[test]
fn every_marketplace_operation_of_the_spec_is_documented() {
    // SPEC §3.12, row by row.
    let spec: &[(&str, &str)] = &[
        ("GET POST", "service-categories/"),
        ("GET PUT PATCH DELETE", "service-categories/{id}/"),
        ("GET POST", "skills/"),
        ("GET PUT PATCH DELETE", "skills/{id}/"),
        ("GET POST", "companies/"),
        ("GET PUT PATCH DELETE", "companies/{id}/"),
        ("GET POST", "providers/"),
        ("GET PUT PATCH", "providers/{id}/"),
        ("GET", "providers/{id}/services/"),
        ("GET", "providers/{id}/reviews/"),
        ("GET POST", "services/"),
        ("GET PUT PATCH DELETE", "services/{id}/"),
        ("GET POST", "services/{id}/comments/"),
        ("POST", "services/{id}/like/"),
        ("GET POST", "requests/"),
        ("GET PATCH DELETE", "requests/{id}/"),
        ("GET", "requests/{id}/proposals/"),
        ("GET POST", "proposals/"),
        ("GET PATCH DELETE", "proposals/{id}/"),
        ("POST", "proposals/{id}/accept/"),
        ("GET", "contracts/"),
        ("GET", "contracts/{id}/"),
        ("POST", "contracts/{id}/update_status/"),
        ("GET POST", "appointments/"),
        ("GET PATCH DELETE", "appointments/{id}/"),
        ("GET", "analytics/provider/"),
        ("GET", "analytics/client/"),
    ];
    let documented = operations(&document());
    let missing: Vec<String> = spec
        .iter()
        .flat_map(|(methods, path)| {
            methods
                .split(' ')
                .map(move |method| (method.to_owned(), format!("/api/v1/{path}")))
        })
        .filter(|operation| !documented.contains(operation))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

/// Every `ToSchema` type in `src/`, by name, with the files that declare one of that name.
fn schema_types() -> std::collections::BTreeMap<String, Vec<String>> {
    fn walk(dir: &std::path::Path, found: &mut std::collections::BTreeMap<String, Vec<String>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let mut derives_schema = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    derives_schema = true;
                } else if derives_schema && !line.starts_with("#[") && !line.starts_with("///") {
                    let name = line
                        .split_whitespace()
                        .skip_while(|word| !matches!(*word, "struct" | "enum"))
                        .nth(1)
                        .map(|name| name.trim_end_matches(['{', '(', ';']).split('<').next());
                    if let Some(Some(name)) = name {
                        let file = path.display().to_string();
                        found.entry(name.to_owned()).or_default().push(file);
                    }
                    derives_schema = false;
                }
            }
        }
    }
    let mut found = std::collections::BTreeMap::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found
}

#[test]
fn no_two_schema_types_share_a_name() {
    // utoipa names a component after its type alone: a second type of the same name silently
    // replaces the first in the document (the service categories once showed as the catalog's).
    let types = schema_types();
    assert!(
        types.len() > 50,
        "the scan found the schema types: {types:?}"
    );
    let shared: Vec<_> = types.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(shared.is_empty(), "{shared:#?}");
}
