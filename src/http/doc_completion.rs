//! Completes the OpenAPI document the routers produced: the error statuses every operation can
//! answer because of what it is (has a body, needs a token, is paginated...), with the SPEC §2
//! error bodies, then the tag list and the order Swagger UI shows (docs/api-documentation.md).
//!
//! Handlers' `#[utoipa::path]` annotations document what is specific to them (`409` on a state
//! conflict, `402` on a declined payment); the rules below add what the shared layers answer, so
//! a new handler gets them by declaring its facts, and no annotation can forget them.

use serde_json::json;
use utoipa::openapi::{
    header::Header,
    path::{Operation, ParameterIn, PathItem},
    schema::Type,
    tag::Tag,
    Content, ObjectBuilder, OpenApi, RefOr, Response, Schema,
};
use utoipa::ToSchema;

use super::{etag, rate_limit};

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
    ("operations", "Health probes and metrics."),
    (
        "aliases",
        "Paths the Django backend also served, each answering exactly as its canonical path.",
    ),
];

/// The tag of the alias paths (`aliases::document`).
pub const ALIAS_TAG: &str = "aliases";

/// Error body schemas, referenced from every error response.
const ERROR_BODY: &str = "ErrorBody";
const FIELD_ERRORS: &str = "FieldErrors";
const SERVER_ERROR_BODY: &str = "ServerErrorBody";

/// A checkout's `409`: `insufficient_stock` lists the short products in `items`; the
/// idempotency conflicts (`idempotency_key_reused`, `idempotency_in_progress`) have no `items`.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the body for OpenAPI; it is built as JSON"
)]
pub struct CheckoutConflict {
    detail: String,
    code: String,
    items: Option<Vec<ShortItem>>,
}

/// A product a checkout is short of, and how many units of it are available.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the body for OpenAPI; it is built as JSON"
)]
pub struct ShortItem {
    product_id: i64,
    available: i64,
}

/// A stock adjustment's `409 insufficient_stock`: the product and its stock.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the body for OpenAPI; it is built as JSON"
)]
pub struct StockConflict {
    detail: String,
    code: String,
    product_id: i64,
    available: i64,
}

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

/// What an operation is, as far as the shared layers care.
struct Facts {
    json_body: bool,
    any_body: bool,
    query: bool,
    paginated: bool,
    path_parameters: bool,
    /// Takes a token: required, or optional (an invalid one is still a `401`).
    authenticated: bool,
    /// Names a role in its security requirement (`("bearer" = ["staff"])`).
    role: bool,
    rate_limited: bool,
    database: bool,
    etag: bool,
}

impl Facts {
    fn of(path: &str, method: &str, operation: &Operation) -> Self {
        let parameters = operation.parameters.as_deref().unwrap_or_default();
        let has = |place: ParameterIn| {
            parameters
                .iter()
                .any(|p| std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&place))
        };
        let body_types: Vec<&String> = operation
            .request_body
            .iter()
            .flat_map(|body| body.content.keys())
            .collect();
        let security = serde_json::to_value(&operation.security).unwrap_or_default();
        let requirements = security.as_array().cloned().unwrap_or_default();
        let probe = path.starts_with("/health/")
            || path.starts_with("/api/v1/health/")
            || path == "/metrics";
        Self {
            json_body: body_types.iter().any(|t| t.as_str() == "application/json"),
            any_body: !body_types.is_empty(),
            query: has(ParameterIn::Query),
            paginated: parameters.iter().any(|p| p.name == "page"),
            path_parameters: has(ParameterIn::Path),
            authenticated: requirements
                .iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty())),
            role: requirements.iter().any(|r| {
                r.as_object().is_some_and(|r| {
                    r.values()
                        .any(|roles| roles.as_array().is_some_and(|a| !a.is_empty()))
                })
            }),
            rate_limited: !rate_limit::is_exempt(path),
            database: !probe,
            etag: method == "get" && etag::TAGGED_ROUTES.contains(&path),
        }
    }

    /// `(status, description)` of each status these facts imply.
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        let mut statuses = Vec::new();
        if self.etag {
            statuses.push((
                "304",
                "Not modified: the `If-None-Match` tag matches (anonymous reads only).",
            ));
        }
        if self.any_body || self.query {
            statuses.push((
                "400",
                "Invalid input: a field map (`{\"field\": [\"message\"]}`), or `{detail, code}` \
                 (`parse_error` for a body that is not JSON).",
            ));
        }
        if self.authenticated {
            statuses.push((
                "401",
                "No token where one is required, or a token that is not valid \
                 (`WWW-Authenticate: Bearer`).",
            ));
        }
        if self.role {
            statuses.push(("403", "Signed in without the role this operation requires."));
        }
        if self.path_parameters && self.paginated {
            statuses.push((
                "404",
                "Not found, or `Invalid page.` (a page past the last).",
            ));
        } else if self.path_parameters {
            statuses.push(("404", "Not found."));
        } else if self.paginated {
            statuses.push(("404", "`Invalid page.`: a page past the last."));
        }
        if self.any_body {
            statuses.push(("413", "Request body too large (`payload_too_large`)."));
            statuses.push((
                "415",
                if self.json_body {
                    "Body not sent as `application/json` (`unsupported_media_type`)."
                } else {
                    "Body of an unsupported media type (`unsupported_media_type`)."
                },
            ));
        }
        if self.rate_limited {
            statuses.push((
                "429",
                "Rate limited (`throttled`); `Retry-After` gives the seconds to wait.",
            ));
        }
        if self.database {
            statuses.push((
                "503",
                "Database unavailable (`service_unavailable`); retry later.",
            ));
        }
        statuses
    }
}

/// Gives an error response without a body its status' SPEC body, and the headers the status
/// always carries.
fn complete_response(status: &str, response: &mut Response) {
    let schema = match status {
        "400" => json!({"anyOf": [schema_ref(FIELD_ERRORS), schema_ref(ERROR_BODY)]}),
        "500" | "503" => schema_ref(SERVER_ERROR_BODY),
        _ if status.starts_with('4') => schema_ref(ERROR_BODY),
        _ => return,
    };
    if response.content.is_empty() {
        let schema: RefOr<Schema> = serde_json::from_value(schema).expect("a valid schema");
        response
            .content
            .insert("application/json".to_owned(), Content::new(Some(schema)));
    }
    let header = match status {
        "401" => Some(("WWW-Authenticate", "`Bearer realm=\"api\"`")),
        "429" => Some((
            "Retry-After",
            "Seconds to wait before retrying (at least 1).",
        )),
        _ => None,
    };
    if let Some((name, description)) = header {
        let kind = if name == "Retry-After" {
            Type::Integer
        } else {
            Type::String
        };
        let mut value = Header::new(ObjectBuilder::new().schema_type(kind));
        value.description = Some(description.to_owned());
        response.headers.entry(name.to_owned()).or_insert(value);
    }
}

fn schema_ref(name: &str) -> serde_json::Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn add_error_schemas(doc: &mut OpenApi) {
    let schemas = [
        (
            ERROR_BODY,
            json!({
                "type": "object",
                "description": "Every error but a validation failure (SPEC §2). Some codes add keys: \
                    `token_not_valid` adds `messages`, `insufficient_stock` adds `items`.",
                "required": ["detail", "code"],
                "properties": {
                    "detail": {"type": "string", "description": "Human-readable message."},
                    "code": {"type": "string", "description": "Machine code, snake_case."}
                }
            }),
        ),
        (
            FIELD_ERRORS,
            json!({
                "type": "object",
                "description": "A validation failure: field name (`non_field_errors` for the whole \
                    body, `items.product_id` for a nested one) → messages.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}}
            }),
        ),
        (
            SERVER_ERROR_BODY,
            json!({
                "type": "object",
                "description": "A `500` or `503`: a generic message and the request id to quote \
                    (also in `X-Request-Id`); never internal detail.",
                "required": ["detail", "code"],
                "properties": {
                    "detail": {"type": "string"},
                    "code": {"type": "string", "enum": ["server_error", "service_unavailable"]},
                    "request_id": {"type": ["string", "null"]}
                }
            }),
        ),
    ];
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas {
        let schema: RefOr<Schema> = serde_json::from_value(schema).expect("a valid schema");
        components.schemas.insert(name.to_owned(), schema);
    }
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
