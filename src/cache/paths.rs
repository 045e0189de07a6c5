//! Which requests the cache covers: the catalog reads it answers, and the writes that bump the
//! catalog version (every successful one outside the route groups that can't touch the catalog).

use axum::http::StatusCode;

/// Catalog reads worth caching: product lists and details, categories, brands, review stats.
pub(super) fn is_cacheable_path(path: &str) -> bool {
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
pub(super) fn never_changes_catalog(path: &str) -> bool {
    let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
    rest.starts_with("auth/")
        || rest.starts_with("cart/")
        || rest.starts_with("users/")
        || rest.starts_with("notifications/")
        || (rest.starts_with("reviews/")
            && (rest.ends_with("/helpful/") || rest.ends_with("/report/")))
}

/// Order writes (checkout, cancellation, payment, status changes) change cached catalog reads
/// only through stock levels, which may lag by `CACHE_STOCK_REFRESH_MS`.
pub(super) fn only_moves_stock(path: &str) -> bool {
    path.strip_prefix("/api/v1/")
        .is_some_and(|rest| rest.starts_with("orders/"))
}

/// Whether a write that answered `status` may have changed a cached read (SPEC §5: only a
/// successful write does). A rejected write changed nothing, and letting it bump would let anyone
/// empty the shared cache with `POST reviews/ {}`. The one failure that writes is a declined
/// payment (`402` on an order route): the order fails and its stock is restored.
pub(super) fn changed_the_catalog(status: StatusCode, stock_only: bool) -> bool {
    status.is_success() || (stock_only && status == StatusCode::PAYMENT_REQUIRED)
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
