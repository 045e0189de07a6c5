//! The product list's query string: filters, and the ordering they ask for, with
//! django-filter's messages for malformed values. Both engines share these rules; only the
//! search join differs (`catalog::search`).

use crate::{
    catalog::search,
    error::{ApiError, FieldErrors},
    http::extract::QueryPairs,
    money::{Money, MoneyError},
    validation::messages,
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
    /// Only active (`true`) or inactive (`false`) products; staff lists only (the dashboard),
    /// never read from the API's query string.
    pub active: Option<bool>,
    /// Only products with at most this many units (the dashboard's low-stock filter).
    pub stock_at_most: Option<i64>,
}

/// A field a product list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    Price,
    CreatedAt,
    Title,
    AverageRating,
    StockQuantity,
}

impl OrderField {
    /// The SQL it orders by.
    fn column(self) -> &'static str {
        match self {
            Self::Price => "p.price_cents",
            Self::CreatedAt => "p.created_at",
            // Lower-cased so both engines agree whatever their collation.
            Self::Title => "LOWER(p.title)",
            Self::AverageRating => "p.average_rating",
            Self::StockQuantity => "p.stock_quantity",
        }
    }
}

/// One `ordering` field with its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    pub field: OrderField,
    pub descending: bool,
}

impl OrderKey {
    /// Newest first: the default order.
    pub const NEWEST: OrderKey = OrderKey {
        field: OrderField::CreatedAt,
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
            active: None,
            stock_at_most: None,
        };
        errors.into_result()?;
        Ok(filters)
    }

    /// The filters a search was narrowed by, as analytics records them (SPEC §3.7): a JSON object
    /// with only the filters given (`category` and `brand` as given, prices as decimal strings,
    /// `in_stock`/`is_featured` when on); the search text, ordering and paging are not filters.
    pub fn applied(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut applied = serde_json::Map::new();
        let mut put = |name: &str, value: serde_json::Value| {
            applied.insert(name.to_owned(), value);
        };
        if let Some(category) = &self.category {
            put("category", category.as_str().into());
        }
        if let Some(brand) = &self.brand {
            put("brand", brand.as_str().into());
        }
        if let Some(price) = self.price_min {
            put("price_min", price.to_string().into());
        }
        if let Some(price) = self.price_max {
            put("price_max", price.to_string().into());
        }
        if self.in_stock {
            put("in_stock", true.into());
        }
        if self.featured {
            put("is_featured", true.into());
        }
        applied
    }

    /// The `ORDER BY` terms: the explicit ordering, else relevance for a search, else newest
    /// first; ties broken by id in the direction of the first key so pages never overlap.
    pub fn order_by(&self) -> String {
        let keys = &self.ordering;
        let mut terms: Vec<String> = keys
            .iter()
            .map(|key| {
                format!(
                    "{} {}",
                    key.field.column(),
                    if key.descending { "DESC" } else { "ASC" }
                )
            })
            .collect();
        let first_descending = match keys.first() {
            Some(key) => key.descending,
            None if self.search.is_some() => {
                terms.push(search::RANK_ORDER.to_owned());
                true
            }
            None => {
                terms.push(format!("{} DESC", OrderKey::NEWEST.field.column()));
                true
            }
        };
        terms.push(format!(
            "p.id {}",
            if first_descending { "DESC" } else { "ASC" }
        ));
        terms.join(", ")
    }
}

/// A price bound as plain decimal text (`10`, `10.5`, `10.50`): no sign, no exponent, at most
/// 2 places and within the price range (SPEC §5), with django-filter's (Django forms') messages.
/// Exponents are refused rather than read: `1000e-9223372036854775808` must not mean 1000.
pub fn price_filter(raw: &str) -> Result<Money, String> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = raw.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(messages::min_value(0));
        }
    }
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(messages::ENTER_A_NUMBER.to_owned());
    }
    Money::parse(raw).map_err(|err| match err {
        MoneyError::Invalid => messages::ENTER_A_NUMBER.to_owned(),
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
        let field = match name {
            "price" => OrderField::Price,
            "created_at" => OrderField::CreatedAt,
            "title" => OrderField::Title,
            "average_rating" => OrderField::AverageRating,
            "stock_quantity" => OrderField::StockQuantity,
            _ => continue,
        };
        if !keys.iter().any(|key| key.field == field) {
            keys.push(OrderKey { field, descending });
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applied_filters_name_only_what_was_given() {
        assert_eq!(ProductFilters::default().applied().len(), 0);
        let filters = ProductFilters {
            category: Some("lamps".into()),
            price_min: Some(Money::parse("10").unwrap()),
            in_stock: true,
            search: Some("desk".into()),
            ordering: vec![OrderKey::NEWEST],
            ..Default::default()
        };
        assert_eq!(
            serde_json::Value::Object(filters.applied()),
            serde_json::json!({"category": "lamps", "price_min": "10.00", "in_stock": true})
        );
    }

    #[test]
    fn ordering_keeps_known_fields_in_order_and_ignores_the_rest() {
        let keys = parse_ordering("-price, bogus,title,price");
        let filters = ProductFilters {
            ordering: keys,
            ..Default::default()
        };
        assert_eq!(
            filters.order_by(),
            "p.price_cents DESC, LOWER(p.title) ASC, p.id DESC"
        );
        assert!(parse_ordering("bogus,-id").is_empty());
    }

    #[test]
    fn default_order_is_newest_first_and_search_ranks_by_relevance() {
        assert_eq!(
            ProductFilters::default().order_by(),
            "p.created_at DESC, p.id DESC"
        );
        let filters = ProductFilters {
            search: Some("lamp".into()),
            ..Default::default()
        };
        assert_eq!(filters.order_by(), "s.search_rank DESC, p.id DESC");
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
