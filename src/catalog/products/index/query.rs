//! A product list page answered from a [`Snapshot`]: the same filters, order and count as the
//! SQL in `products::store::list` (`ListQuery`), over the active products in memory.

use std::cmp::Ordering;

use super::snapshot::{Indexed, Snapshot};
use crate::catalog::products::{
    filters::{OrderField, OrderKey, ProductFilters},
    store::ListQuery,
};

/// Whether `query` can be answered from the index: an anonymous-style list (active products
/// only, no staff-only filter) without a search, whose order is relevance and stays in the
/// database (`catalog::search`).
pub fn answerable(filters: &ProductFilters) -> bool {
    filters.search.is_none() && filters.active.is_none() && filters.stock_at_most.is_none()
}

/// How many products match `query` and the ones at `offset..offset + limit`, in list order.
pub fn page<'s>(
    snapshot: &'s Snapshot,
    query: &ListQuery,
    offset: usize,
    limit: usize,
) -> (usize, Vec<&'s Indexed>) {
    let mut matched: Vec<&Indexed> = snapshot
        .products
        .iter()
        .filter(|product| matches(product, query))
        .collect();
    let count = matched.len();
    let end = offset.saturating_add(limit).min(count);
    if offset >= end {
        return (count, Vec::new());
    }
    let keys = &query.filters.ordering;
    let order = |a: &&Indexed, b: &&Indexed| compare(a, b, keys);
    // Only the first `end` need an order: put them in front, then sort just those.
    if end < count {
        matched.select_nth_unstable_by(end, order);
        matched.truncate(end);
    }
    matched.sort_unstable_by(order);
    (count, matched.split_off(offset))
}

/// The `WHERE` of `products::store::list` (active products only: the snapshot holds no other).
fn matches(product: &Indexed, query: &ListQuery) -> bool {
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

/// The `ORDER BY` of `ProductFilters::order_by`: the keys asked for (newest first when none), then
/// the id in the direction of the first key.
fn compare(a: &Indexed, b: &Indexed, keys: &[OrderKey]) -> Ordering {
    let keys = if keys.is_empty() {
        &[OrderKey::NEWEST][..]
    } else {
        keys
    };
    for key in keys {
        let order = match key.field {
            OrderField::Price => a.price_cents.cmp(&b.price_cents),
            OrderField::CreatedAt => a.created_at.cmp(&b.created_at),
            OrderField::Title => a.title_rank.cmp(&b.title_rank),
            OrderField::AverageRating => a.average_rating.total_cmp(&b.average_rating),
            OrderField::StockQuantity => a.stock_quantity.cmp(&b.stock_quantity),
        };
        let order = if key.descending {
            order.reverse()
        } else {
            order
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    let by_id = a.id.cmp(&b.id);
    if keys[0].descending {
        by_id.reverse()
    } else {
        by_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::products::{
        filters::ProductFilters, key::Visibility, store::ProductRow, views::ProductView,
    };

    fn product(id: i64, price_cents: i64, title_rank: u32, stock_quantity: i64) -> Indexed {
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
        Indexed {
            view,
            images: Vec::new(),
            id,
            category_id: 1,
            brand_id: None,
            price_cents,
            stock_quantity,
            is_featured: false,
            created_at: 0,
            average_rating: 0.0,
            title_rank,
        }
    }

    fn query(ordering: Vec<OrderKey>, in_stock: bool) -> ListQuery {
        ListQuery {
            filters: ProductFilters {
                ordering,
                in_stock,
                ..Default::default()
            },
            category_ids: None,
            brand_id: None,
            visibility: Visibility::ActiveOnly,
        }
    }

    fn ids(listed: &[&Indexed]) -> Vec<i64> {
        listed.iter().map(|p| p.id).collect()
    }

    #[test]
    fn ties_are_broken_by_id_in_the_direction_of_the_first_key() {
        let snapshot = Snapshot::of(vec![
            product(1, 500, 2, 1),
            product(2, 500, 1, 1),
            product(3, 100, 1, 1),
        ]);
        let cheapest = vec![OrderKey {
            field: OrderField::Price,
            descending: false,
        }];
        let dearest = vec![OrderKey {
            field: OrderField::Price,
            descending: true,
        }];
        assert_eq!(
            ids(&page(&snapshot, &query(cheapest, false), 0, 10).1),
            [3, 1, 2]
        );
        assert_eq!(
            ids(&page(&snapshot, &query(dearest, false), 0, 10).1),
            [2, 1, 3]
        );
        // No ordering: newest first, then the highest id (all were made at once here).
        assert_eq!(
            ids(&page(&snapshot, &query(vec![], false), 0, 10).1),
            [3, 2, 1]
        );
    }

    #[test]
    fn a_page_is_cut_after_filtering_and_ordering_and_counts_every_match() {
        let snapshot = Snapshot::of(
            (1..=50)
                .map(|id| product(id, 1000 - id, 1, id % 2))
                .collect(),
        );
        let cheapest = vec![OrderKey {
            field: OrderField::Price,
            descending: false,
        }];
        let (count, listed) = page(&snapshot, &query(cheapest.clone(), true), 5, 3);
        assert_eq!(count, 25, "the odd ids are in stock");
        assert_eq!(ids(&listed), [39, 37, 35]);
        let (count, listed) = page(&snapshot, &query(cheapest, true), 25, 3);
        assert_eq!((count, listed.len()), (25, 0), "past the end");
    }
}
