//! Page-number pagination with the DRF envelope (`count`, absolute `next`/`previous`, `results`).

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::request::Parts,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, FieldErrors},
    http::origin::RequestOrigin,
    validation::messages,
};

/// Default and largest page sizes (SPEC §2).
pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 100;

/// The page a list request asked for, and what is needed to link its neighbours.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub page: i64,
    pub page_size: i64,
    /// `scheme://host/path` of the request, without the query.
    url: String,
    /// The query parameters other than `page`, sorted as DRF's links are.
    other_params: Vec<(String, String)>,
}

/// One page of results in the SPEC envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

impl PageRequest {
    pub fn limit(&self) -> i64 {
        self.page_size
    }

    /// Rows before this page. [`PageRequest::parse`] keeps `page × page_size` inside `i64`; the
    /// arithmetic saturates all the same, so no caller can ever bind a negative `OFFSET`.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.page_size)
    }

    /// Wraps one page of `results` out of `count`; a page past the end is `404 Invalid page.`
    /// (page 1 of an empty list is a valid, empty page).
    pub fn page<T>(&self, count: i64, results: Vec<T>) -> Result<Page<T>, ApiError> {
        if self.page > 1 && self.offset() >= count {
            return Err(ApiError::invalid_page());
        }
        let has_next = self.offset().saturating_add(self.page_size) < count;
        Ok(Page {
            count,
            next: has_next.then(|| self.link(Some(self.page + 1))),
            previous: (self.page > 1).then(|| self.link((self.page > 2).then_some(self.page - 1))),
            results,
        })
    }

    /// Wraps an in-memory list, slicing out the requested page.
    pub fn page_of<T>(&self, items: Vec<T>) -> Result<Page<T>, ApiError> {
        let count = items.len() as i64;
        let results = items
            .into_iter()
            .skip(usize::try_from(self.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(self.page_size).unwrap_or(0))
            .collect();
        self.page(count, results)
    }

    /// The URL of `page` (`None` = the first page, which DRF links without `page`).
    fn link(&self, page: Option<i64>) -> String {
        let mut params = self.other_params.clone();
        if let Some(page) = page {
            params.push(("page".to_owned(), page.to_string()));
        }
        params.sort();
        if params.is_empty() {
            return self.url.clone();
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        format!("{}?{}", self.url, query)
    }

    /// Builds a request from raw parts (SPEC §5 bounds, docs/catalog.md "Pagination"):
    /// * `page` and `page_size` must be positive integers, else `400` under their name;
    /// * a `page` no list can reach (past [`MAX_PAGE`], including numbers too long for `i64`)
    ///   is `404 Invalid page.` at once, without a database query;
    /// * a `page_size` above [`MAX_PAGE_SIZE`] (however long) is capped to it.
    pub fn parse(url: String, query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim());
        let mut errors = FieldErrors::new();
        let mut read = |key: &str| match value(key) {
            None | Some("") => None,
            Some(raw) => positive(raw)
                .map_err(|message| errors.add(key, message))
                .ok(),
        };
        let (page, page_size) = (
            // DRF's last-page keyword is recognised but not resolved (it would need the count
            // first): like any page no list reaches, it is `Invalid page.`
            if value("page") == Some("last") {
                Some(Positive::TooLarge)
            } else {
                read("page")
            },
            read("page_size"),
        );
        // Bad input first (400), then a page that can't exist (404).
        errors.into_result()?;
        let page = match page {
            None => 1,
            Some(Positive::Fits(page)) if page <= MAX_PAGE => page,
            Some(_) => return Err(ApiError::invalid_page()),
        };
        let page_size = match page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(Positive::Fits(size)) => size.min(MAX_PAGE_SIZE),
            Some(Positive::TooLarge) => MAX_PAGE_SIZE,
        };
        let other_params = pairs.into_iter().filter(|(k, _)| k != "page").collect();
        Ok(Self {
            page,
            page_size,
            url,
            other_params,
        })
    }
}

/// The highest page number any list can have: `MAX_PAGE × MAX_PAGE_SIZE` rows is beyond any
/// table, and keeps every offset computed from it inside `i64`.
pub const MAX_PAGE: i64 = i64::MAX / (MAX_PAGE_SIZE * 2);

/// A positive integer as given: one that fits `i64`, or a longer run of digits.
enum Positive {
    Fits(i64),
    TooLarge,
}

/// Reads a positive integer with DRF's `IntegerField(min_value=1)` messages.
fn positive(raw: &str) -> Result<Positive, String> {
    let digits = raw.strip_prefix('+').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(match raw.strip_prefix('-') {
            Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => {
                messages::min_value(1)
            }
            _ => messages::INVALID_INTEGER.to_owned(),
        });
    }
    match digits.parse::<i64>() {
        Ok(0) => Err(messages::min_value(1)),
        Ok(n) => Ok(Positive::Fits(n)),
        Err(_) => Ok(Positive::TooLarge),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let origin = RequestOrigin::from_request_parts(parts, state).await?;
        // Inside a nested router `parts.uri` lacks the `/api/v1` prefix; the original URI has it.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path(), |uri| uri.0.path());
        let url = format!("{}{}", origin.base_url(), path);
        Self::parse(url, parts.uri.query().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str) -> PageRequest {
        PageRequest::parse("http://shop.example/api/v1/products/".into(), query).unwrap()
    }

    #[test]
    fn links_sort_parameters_and_drop_page_one() {
        let page = request("search=wireless&ordering=-price&page=2")
            .page(45, vec![0; 20])
            .unwrap();
        assert_eq!(
            page.next.as_deref(),
            Some("http://shop.example/api/v1/products/?ordering=-price&page=3&search=wireless")
        );
        assert_eq!(
            page.previous.as_deref(),
            Some("http://shop.example/api/v1/products/?ordering=-price&search=wireless")
        );
    }

    #[test]
    fn a_page_past_the_end_is_invalid_but_an_empty_first_page_is_not() {
        assert!(request("page=3").page(40, Vec::<i32>::new()).is_err());
        assert!(request("").page(0, Vec::<i32>::new()).is_ok());
    }

    fn rejection(query: &str) -> serde_json::Value {
        match PageRequest::parse("u".into(), query) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            Err(other) => panic!("{query}: expected a 400, got {other:?}"),
            Ok(_) => panic!("{query} was accepted"),
        }
    }

    #[test]
    fn page_and_page_size_must_be_positive_integers() {
        let integer = serde_json::json!(["A valid integer is required."]);
        let min_one = serde_json::json!(["Ensure this value is greater than or equal to 1."]);
        assert_eq!(rejection("page=abc")["page"], integer);
        assert_eq!(rejection("page=1.5")["page"], integer);
        assert_eq!(rejection("page=0")["page"], min_one);
        assert_eq!(rejection("page=-3")["page"], min_one);
        assert_eq!(rejection("page_size=x")["page_size"], integer);
        assert_eq!(rejection("page_size=0")["page_size"], min_one);
        assert_eq!(
            rejection("page_size=-9223372036854775808")["page_size"],
            min_one
        );
    }

    #[test]
    fn unreachable_pages_are_invalid_before_any_query() {
        for query in [
            "page=9223372036854775806",
            "page=99999999999999999999999",
            "page=last",
        ] {
            let err = PageRequest::parse("u".into(), query).unwrap_err();
            assert_eq!(err.status(), axum::http::StatusCode::NOT_FOUND, "{query}");
        }
        let deepest = request(&format!("page={MAX_PAGE}&page_size=100"));
        assert!(deepest.offset() > 0, "no overflow at the deepest page");
        assert!(deepest.page(10, Vec::<i32>::new()).is_err());
    }

    #[test]
    fn page_size_is_capped_and_defaults() {
        assert_eq!(request("page_size=500").page_size, MAX_PAGE_SIZE);
        assert_eq!(
            request("page_size=99999999999999999999").page_size,
            MAX_PAGE_SIZE
        );
        assert_eq!(request("page_size=").page_size, DEFAULT_PAGE_SIZE);
        assert_eq!(request("page_size=5").page_size, 5);
    }
}
