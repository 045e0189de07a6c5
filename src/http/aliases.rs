//! Request-path normalisation done before routing: optional trailing slashes, and the alias paths
//! the Django backend serves, each mapped onto its canonical route.
//!
//! Keeping aliases in one table (rather than registering handlers twice) means a handler has one
//! route, and the OpenAPI document gets every alias from the same table.

use axum::{
    extract::{OriginalUri, Request},
    http::Uri,
};
use utoipa::openapi::OpenApi;

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
];

/// Rewrites `request`'s path: appends a missing trailing slash, then maps an alias to its
/// canonical path. The path the client used stays available as [`OriginalUri`].
pub fn normalise(mut request: Request) -> Request {
    let uri = request.uri().clone();
    let path = uri.path();
    let mut new_path = with_trailing_slash(path);
    if let Some(canonical) = resolve_alias(&new_path) {
        new_path = canonical;
    }
    if new_path != path {
        let rebuilt = match uri.query() {
            Some(query) => format!("{new_path}?{query}"),
            None => new_path,
        };
        if let Ok(new_uri) = rebuilt.parse::<Uri>() {
            request.extensions_mut().insert(OriginalUri(uri));
            *request.uri_mut() = new_uri;
        }
    }
    request
}

/// `/api/v1/products` → `/api/v1/products/`; files (`/docs/app.js`) and `/metrics` keep their form.
fn with_trailing_slash(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or_default();
    if path.ends_with('/') || last.contains('.') || path == "/metrics" {
        path.to_owned()
    } else {
        format!("{path}/")
    }
}

fn resolve_alias(path: &str) -> Option<String> {
    ALIASES
        .iter()
        .find_map(|(alias, canonical)| rewrite(path, alias, canonical))
}

/// Matches `path` against `pattern` and, when it fits, fills the captured segments into `target`.
fn rewrite(path: &str, pattern: &str, target: &str) -> Option<String> {
    let path_segments: Vec<&str> = path.split('/').collect();
    let pattern_segments: Vec<&str> = pattern.split('/').collect();
    if path_segments.len() != pattern_segments.len() {
        return None;
    }
    let mut target = target.to_owned();
    for (segment, expected) in path_segments.iter().zip(&pattern_segments) {
        if expected.starts_with('{') {
            if segment.is_empty() {
                return None;
            }
            target = target.replacen(expected, segment, 1);
        } else if segment != expected {
            return None;
        }
    }
    Some(target)
}

/// Adds every alias to the OpenAPI document as a copy of its canonical path, with operation ids
/// suffixed so they stay unique.
pub fn document(openapi: &mut OpenApi) {
    for (n, (alias, canonical)) in ALIASES.iter().enumerate() {
        let Some(item) = openapi.paths.paths.get(*canonical).cloned() else {
            continue;
        };
        let mut item = item;
        for operation in operations_mut(&mut item) {
            if let Some(id) = &operation.operation_id {
                operation.operation_id = Some(format!("{id}_alias_{n}"));
            }
            operation.description = Some(format!(
                "Alias of `{canonical}`, served for Django-backend compatibility."
            ));
        }
        openapi.paths.paths.insert((*alias).to_owned(), item);
    }
}

fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
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
