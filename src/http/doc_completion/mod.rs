//! Completes the OpenAPI document the routers produced: the error statuses every operation can
//! answer because of what it is (has a body, needs a token, is paginated...), with the SPEC §2
//! error bodies, then the tag list and the order Swagger UI shows (docs/api-documentation.md).
//!
//! Handlers' `#[utoipa::path]` annotations document what is specific to them (`409` on a state
//! conflict, `402` on a declined payment); the rules below add what the shared layers answer, so
//! a new handler gets them by declaring its facts, and no annotation can forget them.

mod error_bodies;
mod facts;

use utoipa::openapi::{
    path::{Operation, PathItem},
    tag::Tag,
    OpenApi, RefOr, Response,
};

pub use self::error_bodies::{CheckoutConflict, ShortItem, StockConflict};
use self::{
    error_bodies::{add_error_schemas, complete_response},
    facts::Facts,
};

/// Tags in the order the documentation shows them, with what each covers.
pub const TAGS: &[(&str, &str)] = &[
    (
        "accounts",
        "Registration, tokens, profile, addresses, passwords; user administration.",
    ),
    (
        "catalog",
        "Products, categories, brands and images; staff catalog management.",
    ),
    ("inventory", "Stock adjustments and movements (staff)."),
    ("cart", "The signed-in customer's cart."),
    (
        "orders",
        "Checkout, payment, tracking; staff order management.",
    ),
    ("reviews", "Product reviews, feedback and moderation."),
    (
        "notifications",
        "The signed-in user's notifications, their preferences and the live stream.",
    ),
    (
        "analytics",
        "Shop figures for staff (the dashboard) and a user's own figures.",
    ),
    (
        "marketplace",
        "The services marketplace: categories, skills, companies, providers, services, requests, proposals, contracts, appointments and their figures.",
    ),
    ("operations", "Health probes and metrics."),
    (
        "aliases",
        "Paths the Django backend also served, each answering exactly as its canonical path.",
    ),
];

/// The tag of the alias paths (`aliases::document`).
pub const ALIAS_TAG: &str = "aliases";

/// Adds the error schemas and the statuses each operation's facts imply, and gives every error
/// response without a body schema the SPEC one for its status.
pub fn add_statuses(doc: &mut OpenApi) {
    add_error_schemas(doc);
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            let facts = Facts::of(path, method, operation);
            for (status, description) in facts.statuses() {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::T(Response::new(description)));
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    complete_response(status, response);
                }
            }
        }
    }
}

/// Lists the tags in [`TAGS`] order and sorts the paths by their operations' tag, the staff
/// router's paths (`/api/v1/admin/...`) after the public ones of the same area, so the
/// documentation opens on accounts and the aliases come last. The order within each group is
/// the routers' registration order (the sort is stable).
pub fn order(doc: &mut OpenApi) {
    doc.tags = Some(
        TAGS.iter()
            .map(|(name, description)| {
                let mut tag = Tag::new(*name);
                tag.description = Some((*description).to_owned());
                tag
            })
            .collect(),
    );
    let rank = |path: &str, item: &PathItem| {
        let tag = operations(item)
            .find_map(|operation| operation.tags.as_ref()?.first().cloned())
            .unwrap_or_default();
        let area = TAGS
            .iter()
            .position(|(name, _)| *name == tag)
            .unwrap_or(TAGS.len());
        (area, path.starts_with("/api/v1/admin/"))
    };
    doc.paths
        .paths
        .sort_by(|a, item_a, b, item_b| rank(a, item_a).cmp(&rank(b, item_b)));
}

/// Each operation of `item` with its lower-case method.
pub fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
        ("head", &mut item.head),
        ("options", &mut item.options),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
}

fn operations(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.patch,
        &item.head,
        &item.options,
    ]
    .into_iter()
    .filter_map(Option::as_ref)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn statuses(doc: &OpenApi, path: &str, method: &str) -> Vec<String> {
        let value = serde_json::to_value(doc).unwrap();
        let responses = value["paths"][path][method]["responses"]
            .as_object()
            .unwrap();
        responses.keys().cloned().collect()
    }

    #[test]
    fn facts_imply_statuses_and_probes_get_none() {
        let mut doc: OpenApi = serde_json::from_value(json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/api/v1/things/{id}/": {"put": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "security": [{"bearer": ["staff"]}],
                    "responses": {"200": {"description": "ok"}, "409": {"description": "state"}}
                }},
                "/api/v1/things/": {"get": {
                    "parameters": [{"name": "page", "in": "query", "required": false, "schema": {"type": "integer"}}],
                    "security": [{}, {"bearer": []}],
                    "responses": {"200": {"description": "ok"}}
                }},
                "/health/": {"get": {"responses": {"200": {"description": "ok"}}}}
            }
        }))
        .unwrap();
        add_statuses(&mut doc);
        assert_eq!(
            statuses(&doc, "/api/v1/things/{id}/", "put"),
            ["200", "400", "401", "403", "404", "409", "413", "415", "429", "503"]
        );
        assert_eq!(
            statuses(&doc, "/api/v1/things/", "get"),
            ["200", "400", "401", "404", "429", "503"]
        );
        assert_eq!(statuses(&doc, "/health/", "get"), ["200"]);
        let value = serde_json::to_value(&doc).unwrap();
        let conflict = &value["paths"]["/api/v1/things/{id}/"]["put"]["responses"]["409"];
        assert_eq!(
            conflict["description"], "state",
            "an annotation's description stays"
        );
        assert_eq!(
            conflict["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
    }
}
