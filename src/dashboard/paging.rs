//! Paged lists on the dashboard's pages: the API's page rules (`page`, `page_size` default 20,
//! at most 100; a page past the end is the 404 page) and the pager's links, which keep the
//! list's filters.

use crate::{
    error::ApiError,
    http::{extract::QueryPairs, pagination::PageRequest},
};

/// The page a list page asked for (`400`/`404` as the API answers a bad one).
pub fn page_request(query: &QueryPairs) -> Result<PageRequest, ApiError> {
    let raw = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&query.0)
        .finish();
    // The page's links are built by the template's pager, not by the API's absolute URLs.
    PageRequest::parse(String::new(), &raw)
}

/// How many pages `count` rows fill (at least one, so an empty list is "page 1 of 1").
pub fn page_count(count: i64, page: &PageRequest) -> i64 {
    (count.max(1) + page.page_size - 1) / page.page_size
}

/// `filters` (name, value) as a query string for the pager's links, blank ones left out.
pub fn filters_query<'a>(filters: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(filters.into_iter().filter(|(_, value)| !value.is_empty()))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_never_drop_below_one() {
        let page = page_request(&QueryPairs(vec![("page_size".into(), "20".into())])).unwrap();
        assert_eq!(page_count(0, &page), 1);
        assert_eq!(page_count(20, &page), 1);
        assert_eq!(page_count(21, &page), 2);
    }

    #[test]
    fn the_pagers_query_keeps_filters_encoded_and_skips_blank_ones() {
        assert_eq!(
            filters_query([("search", "a&b c"), ("role", "")]),
            "search=a%26b+c"
        );
    }
}
