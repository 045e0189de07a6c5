//! Page-number pagination with the DRF envelope (`count`, absolute `next`/`previous`, `results`).

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::request::Parts,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::ApiError, http::origin::RequestOrigin};

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

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.page_size
    }

    /// Wraps one page of `results` out of `count`; a page past the end is `404 Invalid page.`
    /// (page 1 of an empty list is a valid, empty page).
    pub fn page<T>(&self, count: i64, results: Vec<T>) -> Result<Page<T>, ApiError> {
        if self.page > 1 && self.offset() >= count {
            return Err(ApiError::invalid_page());
        }
        let has_next = self.offset() + self.page_size < count;
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
            .skip(self.offset() as usize)
            .take(self.page_size as usize)
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

    /// Builds a request from raw parts; a page that isn't a positive integer is `Invalid page.`.
    pub fn parse(url: String, query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim());
        let page = match value("page") {
            None | Some("") => 1,
            Some("last") => i64::MAX,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(ApiError::invalid_page)?,
        };
        // An unusable page_size falls back to the default, as DRF does.
        let page_size = value("page_size")
            .and_then(|raw| raw.parse::<i64>().ok())
            .filter(|size| *size >= 1)
            .map(|size| size.min(MAX_PAGE_SIZE))
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let other_params = pairs.into_iter().filter(|(k, _)| k != "page").collect();
        Ok(Self {
            page,
            page_size,
            url,
            other_params,
        })
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
        let page = Self::parse(url, parts.uri.query().unwrap_or_default())?;
        // "last" is resolved by the caller's count; cap it so offset math can't overflow.
        Ok(if page.page == i64::MAX {
            Self {
                page: i64::MAX / (MAX_PAGE_SIZE * 2),
                ..page
            }
        } else {
            page
        })
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
        assert!(PageRequest::parse("u".into(), "page=abc").is_err());
        assert!(PageRequest::parse("u".into(), "page=0").is_err());
    }

    #[test]
    fn page_size_is_capped_and_defaults() {
        assert_eq!(request("page_size=500").page_size, MAX_PAGE_SIZE);
        assert_eq!(request("page_size=x").page_size, DEFAULT_PAGE_SIZE);
        assert_eq!(request("page_size=5").page_size, 5);
    }
}
