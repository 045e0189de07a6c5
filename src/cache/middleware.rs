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

/// Order writes (checkout, cancellation, payment, status changes) change cached catalog reads
/// only through stock levels, which may lag by `CACHE_STOCK_REFRESH_MS`.
fn only_moves_stock(path: &str) -> bool {
    path.strip_prefix("/api/v1/")
        .is_some_and(|rest| rest.starts_with("orders/"))
}

/// Whether a write that answered `status` may have changed a cached read (SPEC §5: only a
/// successful write does). A rejected write changed nothing, and letting it bump would let anyone
/// empty the shared cache with `POST reviews/ {}`. The one failure that writes is a declined
/// payment (`402` on an order route): the order fails and its stock is restored.
fn changed_the_catalog(status: StatusCode, stock_only: bool) -> bool {
    status.is_success() || (stock_only && status == StatusCode::PAYMENT_REQUIRED)
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

/// A cached answer as sent: the body (compressed or not), its `Content-Encoding` and the `ETag`
/// of its JSON. Stored as `"{encoding}\n{etag}\n"` followed by the body.
struct Entry {
    encoding: Option<HeaderValue>,
    etag: String,
    body: Bytes,
}

impl Entry {
    fn encode(&self) -> Bytes {
        let encoding = self
            .encoding
            .as_ref()
            .map_or(&b""[..], HeaderValue::as_bytes);
        let mut bytes = Vec::with_capacity(encoding.len() + self.etag.len() + 2 + self.body.len());
        bytes.extend_from_slice(encoding);
        bytes.push(b'\n');
        bytes.extend_from_slice(self.etag.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(&self.body);
        bytes.into()
    }

    /// `None` for anything not written by [`Entry::encode`] (treated as a miss).
    fn decode(bytes: Bytes) -> Option<Self> {
        let first = bytes.iter().position(|&b| b == b'\n')?;
        let second = first + 1 + bytes[first + 1..].iter().position(|&b| b == b'\n')?;
        let encoding = match &bytes[..first] {
            [] => None,
            name => Some(HeaderValue::from_bytes(name).ok()?),
        };
        let etag = std::str::from_utf8(&bytes[first + 1..second])
            .ok()?
            .to_owned();
        Some(Self {
            encoding,
            etag,
            body: bytes.slice(second + 1..),
        })
    }

    fn into_response(self, cache_state: &'static str) -> Response {
        let mut response = json_response(self.body);
        let headers = response.headers_mut();
        headers.insert(CACHE_HEADER, HeaderValue::from_static(cache_state));
        if let Ok(etag) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, etag);
        }
        if let Some(encoding) = self.encoding {
            headers.insert(header::CONTENT_ENCODING, encoding);
        }
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

fn json_response(bytes: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
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
    fn entries_round_trip_with_and_without_an_encoding() {
        for encoding in [None, Some(HeaderValue::from_static("br"))] {
            let entry = Entry {
                encoding: encoding.clone(),
                etag: "\"abc\"".to_owned(),
                body: Bytes::from_static(b"{\"a\":\"x\\ny\"}\n"),
            };
            let back = Entry::decode(entry.encode()).unwrap();
            assert_eq!(back.encoding, encoding);
            assert_eq!(back.etag, "\"abc\"");
            assert_eq!(back.body, entry.body);
        }
        assert!(Entry::decode(Bytes::from_static(b"no newline")).is_none());
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

    #[test]
    fn account_and_cart_writes_keep_the_cache() {
        assert!(never_changes_catalog("/api/v1/auth/jwt/create/"));
        assert!(never_changes_catalog("/api/v1/cart/add/"));
        assert!(never_changes_catalog("/api/v1/reviews/3/helpful/"));
        assert!(!never_changes_catalog("/api/v1/orders/"));
        assert!(!never_changes_catalog("/api/v1/reviews/3/hide/"));
        assert!(!never_changes_catalog("/api/v1/products/1/stock/"));
    }

    #[test]
    fn only_successful_writes_and_declined_payments_change_the_catalog() {
        for status in [StatusCode::OK, StatusCode::CREATED, StatusCode::NO_CONTENT] {
            assert!(changed_the_catalog(status, false), "{status}");
        }
        for status in [400, 401, 403, 404, 405, 409, 413, 429, 500, 503] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(!changed_the_catalog(status, false), "{status}");
            assert!(!changed_the_catalog(status, true), "{status}");
        }
        assert!(changed_the_catalog(StatusCode::PAYMENT_REQUIRED, true));
        assert!(!changed_the_catalog(StatusCode::PAYMENT_REQUIRED, false));
    }

    #[test]
    fn order_writes_only_move_stock_and_staff_stock_edits_do_more() {
        assert!(only_moves_stock("/api/v1/orders/"));
        assert!(only_moves_stock("/api/v1/orders/7/cancel/"));
        assert!(!only_moves_stock("/api/v1/products/1/stock/"));
        assert!(!only_moves_stock("/api/v1/products/1/"));
    }
}
