//! The service list's query string: filters and ordering (read by `marketplace::listing`), with
//! django-filter's messages for malformed values (a `400` under the filter's name). Pure rules;
//! `store` turns them into SQL.

use super::search;
use crate::{
    catalog::products::price_filter,
    db::SqlBuilder,
    error::{ApiError, FieldErrors},
    http::extract::QueryPairs,
    marketplace::listing::{self, DefaultOrder, OrderKey, Sortable, TieBreak},
    money::Money,
    validation::messages,
};

/// What the caller asked for, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceFilters {
    /// A category id (UUID text as given; a malformed one simply matches nothing).
    pub category: Option<String>,
    /// A provider id, as `category`.
    pub provider: Option<String>,
    pub price_min: Option<Money>,
    pub price_max: Option<Money>,
    /// The least average rating, in hundredths (`4.5` → 450); `None` or 0 filters nothing.
    pub min_rating: Option<i64>,
    pub search: Option<String>,
    pub ordering: Vec<OrderKey>,
}

/// The average rating as SQL: the stored sum over the count, 0 without comments.
const RATING: &str =
    "CASE WHEN s.reviews_count = 0 THEN 0.0 ELSE CAST(s.rating_sum AS DOUBLE PRECISION) / s.reviews_count END";

/// The `ordering` whitelist of the list.
const SORTABLE: &[Sortable] = &[
    Sortable::new("price_from", "s.price_from_cents"),
    Sortable::new("rating", RATING),
    Sortable::new("likes_count", "s.likes_count"),
    Sortable::new("created_at", "s.created_at"),
    // Lower-cased so both engines agree whatever their collation.
    Sortable::new("title", "LOWER(s.title)"),
];

impl ServiceFilters {
    /// Reads the query string; malformed numbers are a `400` under their own names.
    pub fn parse(query: &QueryPairs) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let mut price = |name: &str| {
            let raw = query.get(name)?;
            price_filter(raw)
                .map_err(|message| errors.add(name, message))
                .ok()
        };
        let (price_min, price_max) = (price("price_min"), price("price_max"));
        let min_rating = query.get("min_rating").and_then(|raw| {
            rating_filter(raw)
                .map_err(|message| errors.add("min_rating", message))
                .ok()
        });
        errors.into_result()?;
        Ok(Self {
            category: query.get("category").map(str::to_lowercase),
            provider: query.get("provider").map(str::to_lowercase),
            price_min,
            price_max,
            min_rating,
            search: query.get("search").map(str::to_owned),
            ordering: listing::parse_ordering(query, SORTABLE),
        })
    }

    /// The filters a search was narrowed by, as analytics records them (like the product
    /// list's): only the filters given; the search text, ordering and paging are not filters.
    pub fn applied(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut applied = serde_json::Map::new();
        let texts = [("category", &self.category), ("provider", &self.provider)];
        for (name, value) in texts {
            if let Some(value) = value {
                applied.insert(name.to_owned(), value.as_str().into());
            }
        }
        let prices = [("price_min", self.price_min), ("price_max", self.price_max)];
        for (name, price) in prices {
            if let Some(price) = price {
                applied.insert(name.to_owned(), price.to_string().into());
            }
        }
        if let Some(rating) = self.min_rating.filter(|r| *r > 0) {
            applied.insert("min_rating".to_owned(), (rating as f64 / 100.0).into());
        }
        applied
    }

    /// Appends ` ORDER BY …`: the explicit ordering, else relevance for a search, else newest
    /// first; ties broken by id in the direction of the first key so pages never overlap.
    pub fn push_order_by(&self, sql: &mut SqlBuilder) {
        let default = if self.search.is_some() {
            DefaultOrder::descending(search::RANK)
        } else {
            DefaultOrder::descending("s.created_at")
        };
        listing::push_order_by(sql, &self.ordering, default, TieBreak::FollowFirst("s.id"));
    }
}

/// `min_rating` as plain decimal text between 0 and 5, kept in hundredths; django-filter's
/// (Django forms') messages otherwise.
fn rating_filter(raw: &str) -> Result<i64, String> {
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
    if fraction.len() > 2 {
        return Err("Ensure that there are no more than 2 decimal places.".to_owned());
    }
    let whole: i64 = match whole.trim_start_matches('0') {
        "" => 0,
        w if w.len() > 1 => return Err(messages::max_value(5)),
        w => w.parse().map_err(|_| messages::ENTER_A_NUMBER.to_owned())?,
    };
    let fraction: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| messages::ENTER_A_NUMBER.to_owned())?;
    let hundredths = whole * 100 + fraction;
    if hundredths > 500 {
        return Err(messages::max_value(5));
    }
    Ok(hundredths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> QueryPairs {
        QueryPairs(
            query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    fn ordering(raw: &str) -> Vec<OrderKey> {
        listing::parse_ordering(&pairs(&[("ordering", raw)]), SORTABLE)
    }

    fn order_by(filters: &ServiceFilters) -> String {
        let mut sql = SqlBuilder::new("");
        filters.push_order_by(&mut sql);
        sql.sql().to_owned()
    }

    #[test]
    fn ordering_keeps_known_fields_in_order_and_ignores_the_rest() {
        let filters = ServiceFilters {
            ordering: ordering("-price_from, bogus,title,price_from"),
            ..Default::default()
        };
        assert_eq!(
            order_by(&filters),
            " ORDER BY s.price_from_cents DESC, LOWER(s.title) ASC, s.id DESC"
        );
        assert!(ordering("bogus,-id,price").is_empty());
        let by_rating = ServiceFilters {
            ordering: ordering("rating"),
            ..Default::default()
        };
        assert_eq!(
            order_by(&by_rating),
            format!(" ORDER BY {RATING} ASC, s.id ASC")
        );
    }

    #[test]
    fn default_order_is_newest_first_and_a_search_ranks_by_relevance() {
        assert_eq!(
            order_by(&ServiceFilters::default()),
            " ORDER BY s.created_at DESC, s.id DESC"
        );
        let search = ServiceFilters {
            search: Some("logo".into()),
            ..Default::default()
        };
        assert_eq!(order_by(&search), " ORDER BY m.search_rank DESC, s.id DESC");
        let explicit = ServiceFilters {
            search: Some("logo".into()),
            ordering: ordering("likes_count"),
            ..Default::default()
        };
        assert_eq!(order_by(&explicit), " ORDER BY s.likes_count ASC, s.id ASC");
    }

    #[test]
    fn min_rating_is_a_plain_decimal_from_0_to_5_in_hundredths() {
        assert_eq!(rating_filter("4.5"), Ok(450));
        assert_eq!(rating_filter("0"), Ok(0));
        assert_eq!(rating_filter("5"), Ok(500));
        assert_eq!(rating_filter("3.25"), Ok(325));
        assert_eq!(rating_filter(".5"), Ok(50));
        assert_eq!(rating_filter("-1").unwrap_err(), messages::min_value(0));
        assert_eq!(rating_filter("5.01").unwrap_err(), messages::max_value(5));
        assert_eq!(rating_filter("10").unwrap_err(), messages::max_value(5));
        for raw in ["abc", "1e2", ".", "4,5", "+4", "NaN"] {
            assert_eq!(
                rating_filter(raw).unwrap_err(),
                messages::ENTER_A_NUMBER,
                "{raw}"
            );
        }
        assert!(rating_filter("4.333").is_err());
    }

    #[test]
    fn malformed_filters_are_a_400_naming_each_one() {
        let err = ServiceFilters::parse(&pairs(&[
            ("price_min", "cheap"),
            ("price_max", "-1"),
            ("min_rating", "x"),
        ]))
        .unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("expected a 400");
        };
        assert!(errors.has("price_min") && errors.has("price_max") && errors.has("min_rating"));
        let fine = ServiceFilters::parse(&pairs(&[
            ("price_min", "10"),
            ("category", "ABC"),
            ("search", " logo "),
        ]))
        .unwrap();
        assert_eq!(fine.price_min, Some(Money::from_cents(1000)));
        assert_eq!(fine.category.as_deref(), Some("abc"));
        assert_eq!(fine.search.as_deref(), Some("logo"));
    }
}
