//! The HTTP side of the cache: anonymous catalog `GET`s are answered from the cache (the
//! serialised JSON, byte for byte), and every write that can change them bumps the catalog
//! version once the handler has finished (after its transaction committed).
//!
//! Doing both here rather than in each handler means a new write route can't forget to
//! invalidate: every `POST`/`PUT`/`PATCH`/`DELETE` outside the few route groups that can't touch
//! the catalog (`auth/`, `cart/`, `users/`, review votes and reports) bumps the version.

use axum::{
    body::{Body, Bytes},
    extract::{FromRequestParts, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::Cache;
use crate::{http::origin::RequestOrigin, state::AppState};

/// Tells clients (and tests) whether the answer came from the cache.
pub const CACHE_HEADER: &str = "x-cache";

/// Catalog reads worth caching: product lists and details, categories, brands, review stats.
pub fn is_cacheable_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return false;
    };
    if rest.starts_with("products/") {
        // Stock levels (staff) and image lists stay uncached.
        return !rest.ends_with("/stock/") && !rest.contains("/images/");
    }
    if rest.starts_with("categories/") || rest.starts_with("brands/") {
        return true;
    }
    // reviews/product/{id}/stats/
    rest.strip_prefix("reviews/product/")
        .and_then(|r| r.strip_suffix("/stats/"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Writes that can't change a cached catalog read (everything else bumps the version).
fn never_changes_catalog(path: &str) -> bool {
    let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
    rest.starts_with("auth/")
        || rest.starts_with("cart/")
        || rest.starts_with("users/")
        || (rest.starts_with("reviews/")
            && (rest.ends_with("/helpful/") || rest.ends_with("/report/")))
}

/// The query's `&`-separated pairs, sorted by name (stable, so repeated names keep their order).
pub fn normalised_query(query: Option<&str>) -> String {
    let mut pairs: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .collect();
    pairs.sort_by_key(|p| p.split_once('=').map_or(*p, |(k, _)| k));
    pairs.join("&")
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cache = state.cache.clone();
    if !cache.is_enabled() {
        return next.run(request).await;
    }
    let method = request.method().clone();
    if method == Method::GET {
        let anonymous = !request.headers().contains_key(header::AUTHORIZATION);
        if anonymous && is_cacheable_path(request.uri().path()) {
            return cached_get(&cache, request, next).await;
        }
        return next.run(request).await;
    }
    if matches!(method, Method::HEAD | Method::OPTIONS)
        || never_changes_catalog(request.uri().path())
    {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    // Refused before any work was done: nothing changed. Anything else may have written
    // (a declined payment restocks and answers 4xx), so it invalidates.
    if !matches!(
        response.status(),
        StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::TOO_MANY_REQUESTS
    ) {
        cache.bump_catalog_version().await;
    }
    response
}

async fn cached_get(cache: &Cache, request: Request, next: Next) -> Response {
    // Version first, then the database: an entry stored under a version that a concurrent
    // write has since bumped is simply never read.
    let Some(version) = cache.catalog_version().await else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    // Media URLs in the JSON are absolute (`scheme://host/media/...`), so the origin is part of the key.
    let origin = match RequestOrigin::from_request_parts(&mut parts, &()).await {
        Ok(origin) => origin.base_url(),
        Err(error) => return error.into_response(),
    };
    let request = Request::from_parts(parts, body);
    let key = Cache::catalog_key(
        version,
        &format!(
            "{origin}{}?{}",
            request.uri().path(),
            normalised_query(request.uri().query())
        ),
    );
    if let Some(bytes) = cache.get(&key).await {
        return json_response(bytes, "HIT");
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::OK
        || !is_json
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "could not read a catalog response for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    cache.set(&key, bytes.clone(), None).await;
    parts
        .headers
        .insert(CACHE_HEADER, HeaderValue::from_static("MISS"));
    Response::from_parts(parts, Body::from(bytes))
}

fn json_response(bytes: Bytes, cache_state: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::HeaderName::from_static(CACHE_HEADER),
                HeaderValue::from_static(cache_state),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_reads_are_cacheable_and_nothing_else() {
        for path in [
            "/api/v1/products/",
            "/api/v1/products/featured/",
            "/api/v1/products/some-slug/",
            "/api/v1/categories/",
            "/api/v1/categories/3/products/",
            "/api/v1/brands/acme/",
            "/api/v1/reviews/product/7/stats/",
        ] {
            assert!(is_cacheable_path(path), "{path}");
        }
        for path in [
            "/api/v1/products/1/stock/",
            "/api/v1/products/1/images/",
            "/api/v1/reviews/product/7/",
            "/api/v1/cart/",
            "/api/v1/orders/",
            "/health/",
        ] {
            assert!(!is_cacheable_path(path), "{path}");
        }
    }

    #[test]
    fn query_pairs_are_sorted_by_name_keeping_repeats_in_order() {
        assert_eq!(
            normalised_query(Some("page=2&category=b&brand=x&category=a&")),
            "brand=x&category=b&category=a&page=2"
        );
        assert_eq!(normalised_query(None), "");
    }

    #[test]
    fn account_and_cart_writes_keep_the_cache() {
        assert!(never_changes_catalog("/api/v1/auth/jwt/create/"));
        assert!(never_changes_catalog("/api/v1/cart/add/"));
        assert!(never_changes_catalog("/api/v1/reviews/3/helpful/"));
        assert!(!never_changes_catalog("/api/v1/orders/"));
        assert!(!never_changes_catalog("/api/v1/reviews/3/hide/"));
        assert!(!never_changes_catalog("/api/v1/products/1/stock/"));
    }
}
