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

/// Staff dashboard forms that can change a cached catalog read: the catalog's sections, orders
/// (stock, as [`only_moves_stock`]) and reviews (a hidden review leaves its product's rating).
/// Users, jobs and signing in can't.
pub(super) fn dashboard_form_may_change_catalog(path: &str) -> bool {
    path.strip_prefix("/dashboard/").is_some_and(|rest| {
        ["products/", "categories/", "brands/", "orders/", "reviews/"]
            .iter()
            .any(|section| rest.starts_with(section))
    })
}

/// Whether a dashboard form saved something: it answered post/redirect/get's `303` to a page of
/// its section. A refused form answers `400`/`403`/`409` with the page; a form without a session
/// is sent to the sign-in page, and must not be able to empty the shared cache.
pub(super) fn dashboard_form_saved(status: StatusCode, location: Option<&str>) -> bool {
    status == StatusCode::SEE_OTHER && location.is_some_and(|to| to != "/dashboard/login/")
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

    #[test]
    fn dashboard_forms_that_saved_to_the_catalog_bump_and_nothing_else_does() {
        for path in [
            "/dashboard/products/new/",
            "/dashboard/products/4/stock/",
            "/dashboard/categories/2/",
            "/dashboard/brands/new/",
            "/dashboard/orders/9/status/",
            "/dashboard/reviews/3/hide/",
        ] {
            assert!(dashboard_form_may_change_catalog(path), "{path}");
        }
        for path in [
            "/dashboard/login/",
            "/dashboard/logout/",
            "/dashboard/users/2/",
            "/dashboard/jobs/5/retry/",
            "/api/v1/products/",
        ] {
            assert!(!dashboard_form_may_change_catalog(path), "{path}");
        }
        let to = |path| Some(path);
        assert!(dashboard_form_saved(
            StatusCode::SEE_OTHER,
            to("/dashboard/products/4/?saved=1")
        ));
        assert!(!dashboard_form_saved(
            StatusCode::SEE_OTHER,
            to("/dashboard/login/")
        ));
        assert!(!dashboard_form_saved(StatusCode::BAD_REQUEST, None));
        assert!(!dashboard_form_saved(StatusCode::FORBIDDEN, None));
        assert!(!dashboard_form_saved(StatusCode::CONFLICT, None));
    }
}
