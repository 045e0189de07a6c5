//! Strong `ETag`s and `304 Not Modified` for the public catalog reads (products, categories,
//! brands, reviews lists) when the request carries no `Authorization` header.
//!
//! The tag is computed over the JSON body before compression (the compression layer is outside
//! this one), so gzip/brotli variants of one body share a tag; `Vary: Accept-Encoding` keeps
//! caches from mixing them up. Answers from the catalog cache arrive already compressed with the
//! tag of their JSON body set (`cache::middleware`), and are not hashed again.

use axum::{
    body::Body,
    extract::{MatchedPath, Request},
    http::{
        header::{
            AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
        },
        HeaderValue, Method, StatusCode,
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Route templates whose anonymous `GET` answers carry an `ETag`.
pub(crate) const TAGGED_ROUTES: &[&str] = &[
    "/api/v1/products/",
    "/api/v1/products/search/",
    "/api/v1/products/featured/",
    "/api/v1/products/latest/",
    "/api/v1/products/{key}/",
    "/api/v1/categories/",
    "/api/v1/categories/{key}/",
    "/api/v1/categories/{key}/products/",
    "/api/v1/brands/",
    "/api/v1/brands/{key}/",
    "/api/v1/reviews/",
    "/api/v1/reviews/product/{id}/",
    "/api/v1/reviews/product/{id}/stats/",
];

/// `"` + hex of the first 16 bytes of the body's SHA-256 + `"`.
pub fn tag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// `If-None-Match` matches when it is `*` or lists the tag (weak comparison, RFC 9110 §13.1.2).
fn matches(if_none_match: &str, tag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

/// Middleware: tags eligible `200` JSON answers and turns a matching revalidation into `304`.
pub async fn middleware(request: Request, next: Next) -> Response {
    let eligible = request.method() == Method::GET
        && !request.headers().contains_key(AUTHORIZATION)
        && request
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|route| TAGGED_ROUTES.contains(&route.as_str()));
    if !eligible {
        return next.run(request).await;
    }
    let if_none_match = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if response.status() != StatusCode::OK || !is_json {
        return response;
    }
    // The catalog cache stores answers with the tag of their JSON body: no need to hash again.
    if let Some(tag) = response.headers().get(ETAG).and_then(|v| v.to_str().ok()) {
        if if_none_match.is_some_and(|header| matches(&header, tag)) {
            return not_modified(response.into_parts().0);
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            return ApiError::Internal(anyhow::anyhow!("buffering a response: {error}"))
                .into_response()
        }
    };
    let tag = tag_of(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(ETAG, value);
    }
    if if_none_match.is_some_and(|header| matches(&header, &tag)) {
        return not_modified(parts);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn not_modified(mut parts: axum::http::response::Parts) -> Response {
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove(CONTENT_TYPE);
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(CONTENT_ENCODING);
    Response::from_parts(parts, Body::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_strong_and_compared_weakly() {
        let tag = tag_of(b"{}");
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34);
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"x\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
        assert_ne!(tag, tag_of(b"[]"));
    }
}
