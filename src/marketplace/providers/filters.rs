//! The provider list's query string, with django-filter's messages for malformed values.

use super::store::SORTABLE;
use crate::{
    error::{ApiError, FieldErrors},
    http::extract::QueryPairs,
    marketplace::{ids::stored, listing, listing::OrderKey},
    validation::messages,
};

/// What the caller asked for, parsed.
#[derive(Debug, Default, PartialEq)]
pub struct ProviderFilter {
    /// Providers with this skill.
    pub skill: Option<String>,
    /// Members of this company.
    pub company: Option<String>,
    pub is_verified: Option<bool>,
    /// The lowest average rating, in hundredths (`4.5` → 450).
    pub min_rating: Option<i64>,
    pub search: Option<String>,
    pub ordering: Vec<OrderKey>,
}

impl ProviderFilter {
    /// Reads the query string; malformed values are a `400` under their own names, an
    /// unrecognised `is_verified` means no filter (django-filter's `BooleanFilter`).
    pub fn parse(query: &QueryPairs) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let mut id = |name: &str| {
            let raw = query.get(name)?;
            uuid::Uuid::parse_str(raw)
                .map(stored)
                .map_err(|_| errors.add(name, messages::UNKNOWN_CHOICE))
                .ok()
        };
        let (skill, company) = (id("skill"), id("company"));
        let min_rating = match query.get("min_rating").map(hundredths) {
            Some(Some(value)) => Some(value),
            Some(None) => {
                errors.add("min_rating", messages::ENTER_A_NUMBER);
                None
            }
            None => None,
        };
        errors.into_result()?;
        Ok(Self {
            skill,
            company,
            is_verified: query.get("is_verified").and_then(boolean),
            min_rating,
            search: query.get("search").map(str::to_owned),
            ordering: listing::parse_ordering(query, SORTABLE),
        })
    }
}

/// A decimal number as whole hundredths, rounded (`4.5` → 450); `None` for anything else.
fn hundredths(raw: &str) -> Option<i64> {
    let number: f64 = raw.parse().ok()?;
    let scaled = (number * 100.0).round();
    // Ratings run 0–5; anything finite beyond that simply matches everything or nothing.
    (scaled.is_finite() && scaled.abs() < 1e15).then_some(scaled as i64)
}

/// django-filter's boolean values.
fn boolean(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<ProviderFilter, ApiError> {
        ProviderFilter::parse(&QueryPairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ))
    }

    #[test]
    fn filters_read_ids_ratings_and_flags() {
        let id = "6F9619FF-8B86-D011-B42D-00CF4FC964FF";
        let filter = parse(&[
            ("skill", id),
            ("min_rating", "4.5"),
            ("is_verified", "true"),
        ])
        .unwrap();
        assert_eq!(filter.skill.as_deref(), Some(id.to_lowercase().as_str()));
        assert_eq!(filter.min_rating, Some(450));
        assert_eq!(filter.is_verified, Some(true));
        assert_eq!(
            parse(&[("is_verified", "maybe")]).unwrap().is_verified,
            None
        );
    }

    #[test]
    fn malformed_filters_are_400s_under_their_names() {
        let body = |pairs| match parse(pairs) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a 400, got {other:?}"),
        };
        assert_eq!(
            body(&[("min_rating", "high"), ("company", "7")]),
            serde_json::json!({"min_rating": ["Enter a number."], "company": [messages::UNKNOWN_CHOICE]})
        );
        assert!(body(&[("min_rating", "inf")])["min_rating"].is_array());
    }
}
