//! What the category and brand forms share: reading a posted form as the API's write body, and
//! telling the catalog cache about a saved change.

use axum::http::StatusCode;
use minijinja::{value::Serde, Value};
use serde_json::Map;

use crate::{
    error::{ApiError, FieldErrors},
    validation::{Draft, FromForm},
};

/// The posted fields as the API's write body (a full `PUT`/`POST` body: every field is sent).
pub fn draft<T: FromForm>(body: Map<String, serde_json::Value>) -> Result<Draft<T>, ApiError> {
    Draft::read(serde_json::Value::Object(body), false)
}

/// The field errors of a refused save, or the error itself when it is not about the form.
pub fn field_errors(error: ApiError) -> Result<Value, ApiError> {
    match error {
        ApiError::Validation(errors) => Ok(errors_value(&errors)),
        other => Err(other),
    }
}

/// `errors` as the form macros read them.
pub fn errors_value(errors: &FieldErrors) -> Value {
    Value::from(Serde(errors))
}

/// No errors (a form shown for the first time).
pub fn no_errors() -> Value {
    Value::from(Serde(serde_json::json!({})))
}

/// The status a form shown again with its errors answers.
pub const REFUSED: StatusCode = StatusCode::BAD_REQUEST;
