//! A product list page answered from a [`Snapshot`]: the same filters, order and count as the
//! SQL in `products::store::list` (`ListQuery`), over the active products in memory (or, for a
//! search, over its matches as the database ranked them: `searches`).

use std::cmp::Ordering;

use super::snapshot::{Indexed, Keys, Snapshot};
use crate::catalog::products::{
    filters::{OrderKey, ProductFilters},
    store::ListQuery,
};

/// Whether `query` can be answered from the index: an anonymous-style list (active products
/// only, no staff-only filter). A search can: the database ranks its matches (`searches`).
pub fn answerable(filters: &ProductFilters) -> bool {
    filters.active.is_none() && filters.stock_at_most.is_none()
}

/// How many products match `query` and the ones at `offset..offset + limit`, in list order.
///
/// A list ordered by one field (or the default, newest first) walks that field's pre-sorted
/// positions, counting every match and keeping the page's: no sort per request. Orderings by
/// several fields sort the matches.
pub fn page<'s>(
    snapshot: &'s Snapshot,
    query: &ListQuery,
    offset: usize,
    limit: usize,
) -> (usize, Vec<&'s Indexed>) {
    let end = offset.saturating_add(limit);
    let keys = &snapshot.keys;
    let (count, positions) = match query.filters.ordering.as_slice() {
        [] => walk(
            snapshot.sorted_by(OrderKey::NEWEST.field).iter().rev(),
            keys,
            query,
            offset,
            end,
        ),
        [key] if key.descending => walk(
            snapshot.sorted_by(key.field).iter().rev(),
            keys,
            query,
            offset,
            end,
        ),
        [key] => walk(
            snapshot.sorted_by(key.field).iter(),
            keys,
            query,
            offset,
            end,
        ),
        several => sorted_page(0..keys.len() as u32, keys, query, several, offset, end),
    };
    (count, products_at(snapshot, positions))
}

/// How many of a search's `matches` (positions, best first) pass `query`'s filters and the ones
/// at `offset..offset + limit`: in relevance order, or in the `ordering` asked for.
pub fn search_page<'s>(
    snapshot: &'s Snapshot,
    matches: &[u32],
    query: &ListQuery,
    offset: usize,
    limit: usize,
) -> (usize, Vec<&'s Indexed>) {
    let end = offset.saturating_add(limit);
    let keys = &snapshot.keys;
    let (count, positions) = match query.filters.ordering.as_slice() {
        [] => walk(matches.iter(), keys, query, offset, end),
        order => sorted_page(matches.iter().copied(), keys, query, order, offset, end),
    };
    (count, products_at(snapshot, positions))
}

fn products_at(snapshot: &Snapshot, positions: Vec<u32>) -> Vec<&Indexed> {
    positions
        .into_iter()
        .map(|at| &snapshot.products[at as usize])
        .collect()
}

/// Counts the matches among `positions` (in list order) and keeps those at `offset..end`.
fn walk<'p>(
    positions: impl Iterator<Item = &'p u32>,
    keys: &[Keys],
    query: &ListQuery,
    offset: usize,
    end: usize,
) -> (usize, Vec<u32>) {
    let mut count = 0;
    let mut page = Vec::with_capacity(end.saturating_sub(offset).min(100));
    for &at in positions {
        if matches(&keys[at as usize], query) {
            if (offset..end).contains(&count) {
                page.push(at);
            }
            count += 1;
        }
    }
    (count, page)
}

/// The `candidates` that match, sorted by `order`, cut at `offset..end`.
fn sorted_page(
    candidates: impl Iterator<Item = u32>,
    keys: &[Keys],
    query: &ListQuery,
    order: &[OrderKey],
    offset: usize,
    end: usize,
) -> (usize, Vec<u32>) {
    let mut matched: Vec<u32> = candidates
        .filter(|&at| matches(&keys[at as usize], query))
        .collect();
    let count = matched.len();
    let end = end.min(count);
    if offset >= end {
        return (count, Vec::new());
    }
    let compare = |a: &u32, b: &u32| compare(&keys[*a as usize], &keys[*b as usize], order);
    // Only the first `end` need an order: put them in front, then sort just those.
    if end < count {
        matched.select_nth_unstable_by(end, compare);
        matched.truncate(end);
    }
    matched.sort_unstable_by(compare);
    (count, matched.split_off(offset))
}

/// The `WHERE` of `products::store::list` (active products only: the snapshot holds no other).
fn matches(product: &Keys, query: &ListQuery) -> bool {
    let filters = &query.filters;
    query
        .category_ids
        .as_ref()
        .is_none_or(|ids| ids.binary_search(&product.category_id).is_ok())
        && query.brand_id.is_none_or(|id| product.brand_id == Some(id))
        && filters
            .price_min
            .is_none_or(|min| product.price_cents >= min.cents())
        && filters
            .price_max
            .is_none_or(|max| product.price_cents <= max.cents())
        && (!filters.in_stock || product.stock_quantity > 0)
        && (!filters.featured || product.is_featured)
}

/// The `ORDER BY` of `ProductFilters::order_by` for several keys: each in turn, then the id in
/// the direction of the first.
fn compare(a: &Keys, b: &Keys, order: &[OrderKey]) -> Ordering {
    for key in order {
        let by_key = a.compare(b, key.field);
        let by_key = if key.descending {
            by_key.reverse()
        } else {
            by_key
        };
        if by_key != Ordering::Equal {
            return by_key;
        }
    }
    let by_id = a.id.cmp(&b.id);
    if order.first().is_some_and(|key| key.descending) {
        by_id.reverse()
    } else {
        by_id
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::catalog::products::{
        filters::{OrderField, ProductFilters},
        key::Visibility,
        store::ProductRow,
        views::ProductView,
    };

    /// An active product with these keys (the rest empty or zero), as the snapshot holds it.
    pub(in crate::catalog::products::index) fn product(
        id: i64,
        price_cents: i64,
        stock_quantity: i64,
    ) -> (Indexed, Keys) {
        let view: ProductView = ProductRow {
            id,
            title: String::new(),
            slug: String::new(),
            description: String::new(),
            price_cents,
            category_id: 1,
            category_name: String::new(),
            brand_id: None,
            brand_name: None,
            stock_quantity,
            is_active: crate::db::Flag(true),
            is_featured: crate::db::Flag(false),
            created_at: 0,
            updated_at: 0,
            average_rating: 0.0,
            reviews_count: 0,
        }
        .into();
        let keys = Keys {
            id,
            category_id: 1,
            brand_id: None,
            price_cents,
            stock_quantity,
            is_featured: false,
            created_at: 0,
            average_rating: 0.0,
            title_rank: 1,
        };
        (
            Indexed {
                view,
                images: Vec::new(),
            },
            keys,
        )
    }

    pub(in crate::catalog::products::index) fn query(
        ordering: &[(OrderField, bool)],
        in_stock: bool,
    ) -> ListQuery {
        ListQuery {
            filters: ProductFilters {
                ordering: ordering
                    .iter()
                    .map(|&(field, descending)| OrderKey { field, descending })
                    .collect(),
                in_stock,
                ..Default::default()
            },
            category_ids: None,
            brand_id: None,
            visibility: Visibility::ActiveOnly,
        }
    }

    pub(in crate::catalog::products::index) fn ids(listed: &[&Indexed]) -> Vec<i64> {
        listed.iter().map(|p| p.view.id).collect()
    }

    #[test]
    fn ties_are_broken_by_id_in_the_direction_of_the_first_key() {
        let snapshot = Snapshot::of(vec![
            product(1, 500, 1),
            product(2, 500, 1),
            product(3, 100, 1),
        ]);
        let listed =
            |order: &[(OrderField, bool)]| ids(&page(&snapshot, &query(order, false), 0, 10).1);
        assert_eq!(listed(&[(OrderField::Price, false)]), [3, 1, 2]);
        assert_eq!(listed(&[(OrderField::Price, true)]), [2, 1, 3]);
        // Several keys take the sorting path, with the same rule.
        let price_then_stock = [
            (OrderField::Price, true),
            (OrderField::StockQuantity, false),
        ];
        assert_eq!(listed(&price_then_stock), [2, 1, 3]);
        // No ordering: newest first, then the highest id (all were made at once here).
        assert_eq!(listed(&[]), [3, 2, 1]);
    }

    #[test]
    fn a_page_is_cut_after_filtering_and_ordering_and_counts_every_match() {
        let snapshot = Snapshot::of((1..=50).map(|id| product(id, 1000 - id, id % 2)).collect());
        for order in [
            &[(OrderField::Price, false)][..],
            &[(OrderField::Price, false), (OrderField::CreatedAt, true)][..],
        ] {
            let (count, listed) = page(&snapshot, &query(order, true), 5, 3);
            assert_eq!(count, 25, "the odd ids are in stock");
            assert_eq!(ids(&listed), [39, 37, 35]);
            let (count, listed) = page(&snapshot, &query(order, true), 25, 3);
            assert_eq!((count, listed.len()), (25, 0), "past the end");
        }
    }
}
