//! The HTTP side of the cache: anonymous catalog `GET`s are answered from the cache (the
//! serialised JSON, byte for byte), and every write that can change them bumps the catalog
//! version once the handler has finished (after its transaction committed).
//!
//! Doing both here rather than in each handler means a new write route can't forget to
//! invalidate: every successful `POST`/`PUT`/`PATCH`/`DELETE` outside the few route groups that
//! can't touch the catalog (`auth/`, `cart/`, `users/`, review votes and reports) bumps the
//! version; a rejected one leaves the cache alone.

use axum::{
    body::{Body, Bytes},
    extract::{FromRequestParts, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use tower::{Layer, ServiceExt};

use std::sync::Arc;

use super::{
    entry::{json_response, Entry},
    paths::{
        changed_the_catalog, dashboard_form_may_change_catalog, dashboard_form_saved,
        is_cacheable_path, never_changes_catalog, only_moves_stock,
    },
    Cache,
};
use crate::{http::origin::RequestOrigin, track::Captured};

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

/// Middleware: answers anonymous catalog `GET`s from the cache, and bumps the catalog version
/// after every write that may have changed them. Its state is the cache alone, so the cache
/// knows nothing of the app state.
///
/// Writes bump the version even with `CACHE_ENABLED=false`: the product index follows it too.
pub async fn layer(State(cache): State<Arc<Cache>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method == Method::GET {
        let anonymous = !request.headers().contains_key(header::AUTHORIZATION);
        if cache.is_enabled() && anonymous && is_cacheable_path(request.uri().path()) {
            return cached_get(&cache, request, next).await;
        }
        return next.run(request).await;
    }
    if matches!(method, Method::HEAD | Method::OPTIONS)
        || never_changes_catalog(request.uri().path())
    {
        return next.run(request).await;
    }
    let stock_only = only_moves_stock(request.uri().path());
    let response = next.run(request).await;
    if !changed_the_catalog(response.status(), stock_only) {
        return response;
    }
    if stock_only {
        cache.bump_after_stock_change().await;
    } else {
        cache.bump_catalog_version().await;
    }
    response
}

/// Middleware on the staff dashboard's routes: a form that saved a change to the catalog, an
/// order or a review bumps the catalog version once its handler has finished, as the same write
/// through the API does in [`layer`] (orders: the deferred stock bump). The pages go through the
/// features' own functions; this keeps their cache rule in one place too.
pub async fn dashboard_layer(
    State(cache): State<Arc<Cache>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if request.method() != Method::POST || !dashboard_form_may_change_catalog(path) {
        return next.run(request).await;
    }
    let stock_only = path.starts_with("/dashboard/orders/");
    let response = next.run(request).await;
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok());
    if dashboard_form_saved(response.status(), location) {
        if stock_only {
            cache.bump_after_stock_change().await;
        } else {
            cache.bump_catalog_version().await;
        }
    }
    response
}

/// A cacheable read: the stored answer (`HIT`), or the handler's, stored as sent (`MISS`).
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
    // Entries are stored as sent (compressed for the client's `Accept-Encoding`), so a hit costs
    // no compression; the header is part of the key.
    let accept_encoding = request.headers().get(header::ACCEPT_ENCODING).cloned();
    let path = request.uri().path().to_owned();
    let query = normalised_query(request.uri().query());
    let key_for = |path: &str| {
        let encoding = accept_encoding.as_ref().and_then(|v| v.to_str().ok());
        Cache::catalog_key(
            version,
            &format!("{origin}{path}?{query}#{}", encoding.unwrap_or_default()),
        )
    };
    let key = key_for(&path);
    if let Some(entry) = cache.get(&key).await.and_then(Entry::decode) {
        return entry.into_response("HIT");
    }
    let response = next.run(request).await;
    // The handler's analytics report is kept with the entry: every hit records it again.
    let captured = response.extensions().get::<Captured>().cloned();
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
    let Some(json) = read_body(response.into_body()).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // The tag of the JSON itself, as `http::etag` gives uncached answers.
    let etag = crate::http::etag::tag_of(&json);
    let twin = twin_detail_path(&path, &json);
    let sent = compress(json_response(json), accept_encoding.clone()).await;
    let encoding = sent.headers().get(header::CONTENT_ENCODING).cloned();
    let Some(body) = read_body(sent.into_body()).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let entry = Entry {
        encoding,
        etag,
        captured,
        body,
    };
    let encoded = entry.encode();
    if let Some(twin) = twin {
        cache.set(&key_for(&twin), encoded.clone(), None).await;
    }
    cache.set(&key, encoded, None).await;
    entry.into_response("MISS")
}

/// A product's detail is the same JSON at `products/{id}/` and `products/{slug}/`: for one of
/// them, the other (read from the answer), so one miss fills both entries.
fn twin_detail_path(path: &str, json: &[u8]) -> Option<String> {
    let key = path.strip_prefix("/api/v1/products/")?.strip_suffix('/')?;
    if key.is_empty() || key.contains('/') {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Keys {
        id: i64,
        slug: String,
    }
    // Lists (`featured/`, `search/`...) have no top-level id and slug: no twin.
    let keys: Keys = serde_json::from_slice(json).ok()?;
    let twin = if key.bytes().all(|b| b.is_ascii_digit()) {
        keys.slug
    } else {
        keys.id.to_string()
    };
    Some(format!("/api/v1/products/{twin}/"))
}

async fn read_body(body: Body) -> Option<Bytes> {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .inspect_err(
            |error| tracing::error!(%error, "could not read a catalog response for the cache"),
        )
        .ok()
}

/// `response` compressed as `accept_encoding` asks, by the same layer that compresses every
/// other answer at the edge (which then leaves this one alone: it is already encoded).
async fn compress(response: Response, accept_encoding: Option<HeaderValue>) -> Response {
    let mut request = Request::new(Body::empty());
    if let Some(value) = accept_encoding {
        request.headers_mut().insert(header::ACCEPT_ENCODING, value);
    }
    let mut response = Some(response);
    let service = crate::http::compression().layer(tower::service_fn(move |_: Request| {
        let response = response
            .take()
            .unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response());
        std::future::ready(Ok::<_, std::convert::Infallible>(response))
    }));
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_sorted_by_name_keeping_repeats_in_order() {
        assert_eq!(
            normalised_query(Some("page=2&category=b&brand=x&category=a&")),
            "brand=x&category=b&category=a&page=2"
        );
        assert_eq!(normalised_query(None), "");
    }

    #[test]
    fn a_product_detail_has_a_twin_path_and_lists_have_none() {
        let product = br#"{"id": 7, "slug": "desk-lamp", "title": "Desk lamp"}"#;
        assert_eq!(
            twin_detail_path("/api/v1/products/7/", product).as_deref(),
            Some("/api/v1/products/desk-lamp/")
        );
        assert_eq!(
            twin_detail_path("/api/v1/products/desk-lamp/", product).as_deref(),
            Some("/api/v1/products/7/")
        );
        let page = br#"{"count": 0, "next": null, "previous": null, "results": []}"#;
        assert_eq!(twin_detail_path("/api/v1/products/featured/", page), None);
        assert_eq!(twin_detail_path("/api/v1/products/", product), None);
        assert_eq!(twin_detail_path("/api/v1/categories/7/", product), None);
    }
}
