//! The SPEC §2 error bodies in the document: their schemas, the body and headers every error
//! response gets by its status, and the typed bodies of the conflicts handlers annotate.

use serde_json::json;
use utoipa::{
    openapi::{
        header::Header, schema::Type, Content, ObjectBuilder, OpenApi, RefOr, Response, Schema,
    },
    ToSchema,
};

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

/// Gives an error response without a body its status' SPEC body, and the headers the status
/// always carries.
pub(super) fn complete_response(status: &str, response: &mut Response) {
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

/// Registers the SPEC §2 error body schemas the error responses refer to.
pub(super) fn add_error_schemas(doc: &mut OpenApi) {
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
