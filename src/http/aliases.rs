//! Request-path normalisation done before routing: optional trailing slashes, and the alias paths
//! the Django backend serves, each mapped onto its canonical route.
//!
//! Keeping aliases in one table (rather than registering handlers twice) means a handler has one
//! route, and the OpenAPI document gets every alias from the same table.

use std::borrow::Cow;

use axum::{
    extract::{OriginalUri, Request},
    http::Uri,
};
use utoipa::openapi::OpenApi;

use super::doc_completion::{operations_mut, ALIAS_TAG};

/// `(alias, canonical)` path patterns under `/api/v1`; `{x}` matches one path segment.
/// (The staff router `admin/...` is not an alias: its routes need staff rights, so it has handlers.)
pub const ALIASES: &[(&str, &str)] = &[
    ("/api/v1/auth/register/", "/api/v1/auth/users/"),
    ("/api/v1/users/register/", "/api/v1/auth/users/"),
    ("/api/v1/auth/login/", "/api/v1/auth/jwt/create/"),
    ("/api/v1/users/login/", "/api/v1/auth/jwt/create/"),
    ("/api/v1/auth/token/refresh/", "/api/v1/auth/jwt/refresh/"),
    ("/api/v1/users/token/refresh/", "/api/v1/auth/jwt/refresh/"),
    ("/api/v1/users/logout/", "/api/v1/auth/logout/"),
    ("/api/v1/auth/profile/", "/api/v1/auth/users/me/"),
    ("/api/v1/users/profile/", "/api/v1/auth/users/me/"),
    ("/api/v1/auth/profile/update/", "/api/v1/auth/users/me/"),
    ("/api/v1/users/profile/update/", "/api/v1/auth/users/me/"),
    (
        "/api/v1/users/password/change/",
        "/api/v1/auth/password/change/",
    ),
    (
        "/api/v1/users/password/reset/",
        "/api/v1/auth/password/reset/",
    ),
    (
        "/api/v1/users/password/reset/confirm/",
        "/api/v1/auth/password/reset/confirm/",
    ),
    ("/api/v1/auth/addresses/", "/api/v1/users/addresses/"),
    (
        "/api/v1/auth/addresses/default/",
        "/api/v1/users/addresses/default/",
    ),
    (
        "/api/v1/auth/addresses/{id}/",
        "/api/v1/users/addresses/{id}/",
    ),
    (
        "/api/v1/auth/addresses/{id}/set_default/",
        "/api/v1/users/addresses/{id}/set_default/",
    ),
    ("/api/v1/orders/create/", "/api/v1/orders/"),
    ("/api/v1/orders/history/", "/api/v1/orders/"),
    (
        "/api/v1/orders/admin/{id}/update-status/",
        "/api/v1/orders/{id}/",
    ),
    ("/api/v1/reviews/create/", "/api/v1/reviews/"),
    ("/api/v1/reviews/{id}/update/", "/api/v1/reviews/{id}/"),
    ("/api/v1/reviews/{id}/delete/", "/api/v1/reviews/{id}/"),
    // The services platform's notification paths (SPEC §3.12).
    (
        "/api/v1/notifications/{id}/delete/",
        "/api/v1/notifications/{id}/",
    ),
    (
        "/api/v1/notifications/api/count/",
        "/api/v1/notifications/unread-count/",
    ),
];

/// Rewrites `request`'s path: appends a missing trailing slash, then maps an alias to its
/// canonical path. The path the client used stays available as [`OriginalUri`].
///
/// Runs on every request, so a path that needs no change (nearly all of them) costs no
/// allocation: the slash check borrows, and an alias is built only once it has matched.
pub fn normalise(mut request: Request) -> Request {
    let uri = request.uri();
    let path = uri.path();
    let slashed = with_trailing_slash(path);
    let new_path = match resolve_alias(&slashed) {
        Some(canonical) => canonical,
        None if matches!(slashed, Cow::Borrowed(_)) => return request,
        None => slashed.into_owned(),
    };
    let rebuilt = match uri.query() {
        Some(query) => format!("{new_path}?{query}"),
        None => new_path,
    };
    if let Ok(new_uri) = rebuilt.parse::<Uri>() {
        let original = std::mem::replace(request.uri_mut(), new_uri);
        request.extensions_mut().insert(OriginalUri(original));
    }
    request
}

/// `/api/v1/products` → `/api/v1/products/`; files (`/docs/app.js`) and `/metrics` keep their form.
fn with_trailing_slash(path: &str) -> Cow<'_, str> {
    let last = path.rsplit('/').next().unwrap_or_default();
    if path.ends_with('/') || last.contains('.') || path == "/metrics" {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("{path}/"))
    }
}

fn resolve_alias(path: &str) -> Option<String> {
    let segments = segment_count(path);
    ALIASES
        .iter()
        .filter(|(alias, _)| segment_count(alias) == segments)
        .find_map(|(alias, canonical)| rewrite(path, alias, canonical))
}

fn segment_count(path: &str) -> usize {
    path.bytes().filter(|&b| b == b'/').count()
}

/// Matches `path` against `pattern` (with as many segments) and, when it fits, fills the
/// captured segments into `target`.
fn rewrite(path: &str, pattern: &str, target: &str) -> Option<String> {
    let pairs = || path.split('/').zip(pattern.split('/'));
    let fits = pairs().all(|(segment, expected)| {
        if expected.starts_with('{') {
            !segment.is_empty()
        } else {
            segment == expected
        }
    });
    if !fits {
        return None;
    }
    let mut target = target.to_owned();
    for (segment, expected) in pairs().filter(|(_, expected)| expected.starts_with('{')) {
        target = target.replacen(expected, segment, 1);
    }
    Some(target)
}

/// Adds every alias to the OpenAPI document as a copy of its canonical path, under the
/// `aliases` tag, each operation summarised as the alias of its canonical one and with its
/// operation id suffixed so ids stay unique.
pub fn document(openapi: &mut OpenApi) {
    for (n, (alias, canonical)) in ALIASES.iter().enumerate() {
        let Some(item) = openapi.paths.paths.get(*canonical).cloned() else {
            continue;
        };
        let mut item = item;
        for (method, operation) in operations_mut(&mut item) {
            if let Some(id) = &operation.operation_id {
                operation.operation_id = Some(format!("{id}_alias_{n}"));
            }
            let method = method.to_uppercase();
            operation.summary = Some(format!("Alias of `{method} {canonical}`"));
            operation.description = Some(format!(
                "Alias of `{method} {canonical}`, served for Django-backend compatibility: \
                 the same handler, answers and rules."
            ));
            operation.tags = Some(vec![ALIAS_TAG.to_owned()]);
        }
        openapi.paths.paths.insert((*alias).to_owned(), item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(uri: &str) -> String {
        let request = Request::builder()
            .uri(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        normalise(request).uri().to_string()
    }

    #[test]
    fn trailing_slash_is_optional() {
        assert_eq!(path_of("/api/v1/products"), "/api/v1/products/");
        assert_eq!(
            path_of("/api/v1/products?page=2"),
            "/api/v1/products/?page=2"
        );
        assert_eq!(
            path_of("/api/v1/docs/swagger-ui.css"),
            "/api/v1/docs/swagger-ui.css"
        );
        assert_eq!(path_of("/metrics"), "/metrics");
    }

    #[test]
    fn aliases_map_to_canonical_paths_with_their_ids() {
        assert_eq!(path_of("/api/v1/auth/login/"), "/api/v1/auth/jwt/create/");
        assert_eq!(
            path_of("/api/v1/auth/addresses/7/set_default"),
            "/api/v1/users/addresses/7/set_default/"
        );
        assert_eq!(path_of("/api/v1/admin/products"), "/api/v1/admin/products/");
        assert_eq!(
            path_of("/api/v1/auth/addresses/default/"),
            "/api/v1/users/addresses/default/"
        );
    }

    #[test]
    fn a_rewritten_path_keeps_the_original_and_an_unchanged_one_is_left_alone() {
        let request = |uri: &str| {
            let request = Request::builder().uri(uri).body(axum::body::Body::empty());
            normalise(request.unwrap())
        };
        let rewritten = request("/api/v1/orders/create?x=1");
        assert_eq!(rewritten.uri(), "/api/v1/orders/?x=1");
        let original = rewritten.extensions().get::<OriginalUri>().unwrap();
        assert_eq!(original.0, "/api/v1/orders/create?x=1");
        let unchanged = request("/api/v1/products/12/?page=2");
        assert_eq!(unchanged.uri(), "/api/v1/products/12/?page=2");
        assert!(unchanged.extensions().get::<OriginalUri>().is_none());
    }

    #[test]
    fn review_aliases_reach_the_review_routes_and_leave_the_others_alone() {
        assert_eq!(path_of("/api/v1/reviews/create"), "/api/v1/reviews/");
        assert_eq!(path_of("/api/v1/reviews/7/update/"), "/api/v1/reviews/7/");
        assert_eq!(path_of("/api/v1/reviews/7/delete"), "/api/v1/reviews/7/");
        assert_eq!(
            path_of("/api/v1/reviews/product/7/"),
            "/api/v1/reviews/product/7/"
        );
        assert_eq!(
            path_of("/api/v1/reviews/7/helpful/"),
            "/api/v1/reviews/7/helpful/"
        );
    }
}
