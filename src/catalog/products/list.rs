//! The product list: filters and ordering from the query string, turned into one page query,
//! one `COUNT` and one images query, the same SQL on both engines except the search join.

use super::{
    model::{ProductView, PRODUCT_COLUMNS, PRODUCT_NAME_JOINS},
    queries::{attach_images, views, Visibility},
};
use sqlx::Row;

use crate::media::MediaUrls;
use crate::{
    catalog::search,
    db::Db,
    db::SqlBuilder,
    error::{ApiError, FieldErrors},
    http::{
        extract::QueryPairs,
        pagination::{Page, PageRequest},
    },
    money::{Money, MoneyError},
};

/// What the caller asked for, parsed; category and brand are still as given (id or slug).
#[derive(Debug, Clone, Default)]
pub struct ProductFilters {
    pub category: Option<String>,
    pub brand: Option<String>,
    pub price_min: Option<Money>,
    pub price_max: Option<Money>,
    pub in_stock: bool,
    pub featured: bool,
    pub search: Option<String>,
    pub ordering: Vec<OrderKey>,
}

/// One `ordering` field with its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    column: &'static str,
    descending: bool,
}

impl OrderKey {
    /// Newest first: the default order.
    pub const NEWEST: OrderKey = OrderKey {
        column: "p.created_at",
        descending: true,
    };
}

impl ProductFilters {
    /// Reads the query string; malformed prices are a `400` under their own names.
    pub fn parse(query: &QueryPairs) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let mut price = |name: &str| {
            let raw = query.get(name)?;
            price_filter(raw)
                .map_err(|message| errors.add(name, message))
                .ok()
        };
        let filters = Self {
            price_min: price("price_min"),
            price_max: price("price_max"),
            category: query.get("category").map(str::to_owned),
            brand: query.get("brand").map(str::to_owned),
            in_stock: query.flag("in_stock"),
            featured: query.flag("is_featured"),
            search: query.get("search").map(str::to_owned),
            ordering: query
                .get("ordering")
                .map(parse_ordering)
                .unwrap_or_default(),
        };
        errors.into_result()?;
        Ok(filters)
    }
}

/// A price bound as plain decimal text (`10`, `10.5`, `10.50`): no sign, no exponent, at most
/// 2 places and within the price range (SPEC §5), with django-filter's (Django forms') messages.
/// Exponents are refused rather than read: `1000e-9223372036854775808` must not mean 1000.
fn price_filter(raw: &str) -> Result<Money, String> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = raw.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err("Ensure this value is greater than or equal to 0.".to_owned());
        }
    }
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err("Enter a number.".to_owned());
    }
    Money::parse(raw).map_err(|err| match err {
        MoneyError::Invalid => "Enter a number.".to_owned(),
        limit => limit.to_string(),
    })
}

/// `-price,title` → the known fields in order; unknown fields and repeats are ignored.
fn parse_ordering(raw: &str) -> Vec<OrderKey> {
    let mut keys: Vec<OrderKey> = Vec::new();
    for field in raw.split(',').map(str::trim) {
        let (descending, name) = match field.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, field),
        };
        let column = match name {
            "price" => "p.price_cents",
            "created_at" => "p.created_at",
            // Lower-cased so both engines agree whatever their collation.
            "title" => "LOWER(p.title)",
            "average_rating" => "p.average_rating",
            "stock_quantity" => "p.stock_quantity",
            _ => continue,
        };
        if !keys.iter().any(|key| key.column == column) {
            keys.push(OrderKey { column, descending });
        }
    }
    keys
}

/// A product list request after category and brand were resolved to ids.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub filters: ProductFilters,
    /// The asked category and its descendants.
    pub category_ids: Option<Vec<i64>>,
    pub brand_id: Option<i64>,
    pub visibility: Visibility,
}

/// One page of products with their images: page query, `COUNT` and images query.
pub async fn list(
    db: &Db,
    query: &ListQuery,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<Page<ProductView>, ApiError> {
    // A search ranks every match before it can cut a page, so its count comes with the page
    // (`COUNT(*) OVER ()`) instead of from a second pass over the matches. A plain list can stop
    // after one page (an index gives the order), so its count is a query of its own.
    let searching = query.filters.search.is_some();
    let known_count = if searching {
        None
    } else {
        // No category/brand joins for the count: they never drop a row (the category is
        // required, the brand join is LEFT), and SQLite would still do two lookups per product.
        let Some(count_sql) = build(db, query, "SELECT CAST(COUNT(*) AS BIGINT) FROM products p")
        else {
            return page.page(0, Vec::new());
        };
        let count = count_sql.fetch_i64(&db.pool).await?;
        if count == 0 || page.offset() >= count {
            return page.page(count, Vec::new());
        }
        Some(count)
    };
    let order = order_by(query);
    // A search counts and sorts its matches as bare (id, rank) pairs and cuts the page there;
    // only the page's rows are then read whole, with their names. Counting and sorting a
    // thousand matches with every column was most of a search's cost (docs/PERFORMANCE.md,
    // log 24).
    let select_from = if searching {
        format!(
            "SELECT {PRODUCT_COLUMNS}, s.total_count FROM (SELECT p.id, s.search_rank, \
             CAST(COUNT(*) OVER () AS BIGINT) AS total_count FROM products p"
        )
    } else {
        format!("SELECT {PRODUCT_COLUMNS} FROM products p{PRODUCT_NAME_JOINS}")
    };
    let Some(mut sql) = build(db, query, &select_from) else {
        return page.page(0, Vec::new());
    };
    sql.push(" ORDER BY ").push(&order);
    sql.push(" LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    if searching {
        // The outer `s` carries `search_rank` under the same name, so one ORDER BY serves both.
        sql.push(") s JOIN products p ON p.id = s.id")
            .push(PRODUCT_NAME_JOINS)
            .push(" ORDER BY ")
            .push(&order);
    }
    let rows = sql.fetch_all(&db.pool).await?;
    let count = match known_count {
        Some(count) => count,
        // No row: nothing matched, or the page is past the end (a 404 either way after page 1).
        None => match rows.first() {
            Some(row) => row.try_get("total_count")?,
            None => 0,
        },
    };
    let mut products = views(&rows)?;
    attach_images(db, &mut products, media).await?;
    page.page(count, products)
}

/// `select_from` (`SELECT ... FROM products p ...`) + the search join + `WHERE`; `None` when the
/// search text has no searchable word.
fn build(db: &Db, query: &ListQuery, select_from: &str) -> Option<SqlBuilder> {
    let mut sql = SqlBuilder::new("");
    sql.push(select_from);
    if let Some(text) = &query.filters.search {
        if !search::push_join(&mut sql, db.backend, text) {
            return None;
        }
    }
    sql.push(" WHERE TRUE");
    if query.visibility == Visibility::ActiveOnly {
        sql.push(" AND p.is_active = TRUE");
    }
    if let Some(ids) = &query.category_ids {
        sql.push(" AND p.category_id IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_bind(*id);
        }
        sql.push(")");
    }
    if let Some(brand_id) = query.brand_id {
        sql.push(" AND p.brand_id = ").push_bind(brand_id);
    }
    if let Some(min) = query.filters.price_min {
        sql.push(" AND p.price_cents >= ").push_bind(min.cents());
    }
    if let Some(max) = query.filters.price_max {
        sql.push(" AND p.price_cents <= ").push_bind(max.cents());
    }
    if query.filters.in_stock {
        sql.push(" AND p.stock_quantity > 0");
    }
    if query.filters.featured {
        sql.push(" AND p.is_featured = TRUE");
    }
    Some(sql)
}

/// The explicit ordering, else relevance for a search, else newest first; ties broken by id in
/// the direction of the first key so pages never overlap.
fn order_by(query: &ListQuery) -> String {
    let keys = &query.filters.ordering;
    let mut terms: Vec<String> = keys
        .iter()
        .map(|key| {
            format!(
                "{} {}",
                key.column,
                if key.descending { "DESC" } else { "ASC" }
            )
        })
        .collect();
    let first_descending = match keys.first() {
        Some(key) => key.descending,
        None if query.filters.search.is_some() => {
            terms.push(search::RANK_ORDER.to_owned());
            true
        }
        None => {
            terms.push(format!("{} DESC", OrderKey::NEWEST.column));
            true
        }
    };
    terms.push(format!(
        "p.id {}",
        if first_descending { "DESC" } else { "ASC" }
    ));
    terms.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(filters: ProductFilters) -> ListQuery {
        ListQuery {
            filters,
            category_ids: None,
            brand_id: None,
            visibility: Visibility::ActiveOnly,
        }
    }

    #[test]
    fn ordering_keeps_known_fields_in_order_and_ignores_the_rest() {
        let keys = parse_ordering("-price, bogus,title,price");
        let filters = ProductFilters {
            ordering: keys,
            ..Default::default()
        };
        assert_eq!(
            order_by(&query(filters)),
            "p.price_cents DESC, LOWER(p.title) ASC, p.id DESC"
        );
        assert!(parse_ordering("bogus,-id").is_empty());
    }

    #[test]
    fn default_order_is_newest_first_and_search_ranks_by_relevance() {
        assert_eq!(
            order_by(&query(ProductFilters::default())),
            "p.created_at DESC, p.id DESC"
        );
        let filters = ProductFilters {
            search: Some("lamp".into()),
            ..Default::default()
        };
        assert_eq!(order_by(&query(filters)), "s.search_rank DESC, p.id DESC");
    }

    #[test]
    fn price_filters_are_plain_decimals_within_the_price_range() {
        assert_eq!(price_filter("10").unwrap().cents(), 1_000);
        assert_eq!(price_filter("10.5").unwrap().cents(), 1_050);
        assert_eq!(price_filter("0.99").unwrap().cents(), 99);
        assert_eq!(price_filter("99999999.99").unwrap().cents(), 9_999_999_999);
        for raw in [
            "1000e-9223372036854775808",
            "1e2",
            "abc",
            ".",
            "1.2.3",
            "+5",
            " 5",
        ] {
            assert_eq!(price_filter(raw).unwrap_err(), "Enter a number.", "{raw}");
        }
        assert_eq!(
            price_filter("1.234").unwrap_err(),
            "Ensure that there are no more than 2 decimal places."
        );
        assert_eq!(
            price_filter("100000000").unwrap_err(),
            "Ensure that there are no more than 8 digits before the decimal point."
        );
        assert_eq!(
            price_filter("-5").unwrap_err(),
            "Ensure this value is greater than or equal to 0."
        );
    }

    #[test]
    fn malformed_prices_are_named_in_the_error() {
        let pairs = QueryPairs(vec![
            ("price_min".into(), "cheap".into()),
            ("price_max".into(), "10".into()),
        ]);
        let Err(ApiError::Validation(errors)) = ProductFilters::parse(&pairs) else {
            panic!("expected a 400")
        };
        assert_eq!(
            serde_json::to_value(errors).unwrap(),
            serde_json::json!({"price_min": ["Enter a number."]})
        );
    }
}
