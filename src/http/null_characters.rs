//! Keeps U+0000 out of every URL before a handler sees it (SPEC §5): PostgreSQL can't hold that
//! character in text, so a `%00` reaching a query would be a `500` there and a silent mismatch
//! on SQLite. JSON bodies are checked by [`crate::http::extract::Json`], the one body reader.

use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    error::{ApiError, FieldErrors},
    http::extract::NULL_CHARACTERS,
};

/// A path holding `%00` names nothing (`404`, as any unparseable path parameter does); a query
/// parameter holding U+0000, in its name or value, is a `400` under that parameter's name.
pub async fn reject(request: Request, next: Next) -> Response {
    let uri = request.uri();
    // The only way a path can carry U+0000 is percent-encoded: raw control bytes never parse.
    if uri.path().contains("%00") {
        return ApiError::not_found().into_response();
    }
    if let Some(field) = uri.query().and_then(null_character_parameter) {
        return FieldErrors::single(&field, NULL_CHARACTERS).into_response();
    }
    next.run(request).await
}

/// The parameter of `query` whose decoded name or value holds U+0000 (`non_field_errors` when
/// the name itself does).
fn null_character_parameter(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        if name.contains('\0') {
            Some("non_field_errors".to_owned())
        } else {
            value.contains('\0').then(|| name.into_owned())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_null_characters_are_found_in_names_and_values() {
        assert_eq!(
            null_character_parameter("page=2&search=nul%00byte").as_deref(),
            Some("search")
        );
        assert_eq!(
            null_character_parameter("a%00b=1").as_deref(),
            Some("non_field_errors")
        );
        assert_eq!(null_character_parameter("search=%2500&x=%2000"), None);
    }
}
