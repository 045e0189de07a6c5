//! `GET /dashboard/products/`: every product (inactive ones too) through the catalog's own list,
//! with search, category, brand, state and low-stock filters, newest first, paged as the API
//! pages (20 a page).

use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde, Value};

use crate::{
    catalog::{
        brands, categories,
        products::{self, ProductFilters, Visibility},
    },
    dashboard::{pages, paging, session::StaffSession},
    error::ApiError,
    http::extract::QueryPairs,
    media::MediaUrls,
    state::AppState,
};

/// The filters as the page's form sends them, kept for the form and the pager's links.
struct Asked<'a> {
    search: &'a str,
    category: &'a str,
    brand: &'a str,
    /// `""` (all), `"active"` or `"inactive"`.
    state: &'a str,
    low_stock: bool,
}

impl<'a> Asked<'a> {
    fn read(query: &'a QueryPairs) -> Self {
        Self {
            search: query.get("search").unwrap_or_default(),
            category: query.get("category").unwrap_or_default(),
            brand: query.get("brand").unwrap_or_default(),
            state: match query.get("is_active") {
                Some("true") => "true",
                Some("false") => "false",
                _ => "",
            },
            low_stock: query.flag("low_stock"),
        }
    }

    /// The catalog's filters; low stock is at or below the threshold that notifies staff.
    fn filters(&self, threshold: i64) -> ProductFilters {
        let given = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        ProductFilters {
            search: given(self.search),
            category: given(self.category),
            brand: given(self.brand),
            active: match self.state {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            stock_at_most: self.low_stock.then_some(threshold),
            ..ProductFilters::default()
        }
    }

    fn any(&self) -> bool {
        [self.search, self.category, self.brand, self.state]
            .iter()
            .any(|text| !text.is_empty())
            || self.low_stock
    }

    /// The filters as a query string without `page`, for the pager's links.
    fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("search", self.search),
            ("category", self.category),
            ("brand", self.brand),
            ("is_active", self.state),
            ("low_stock", if self.low_stock { "true" } else { "" }),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.finish()
    }
}

/// The list page.
pub async fn list_page(
    State(state): State<AppState>,
    session: StaffSession,
    media: MediaUrls,
    query: QueryPairs,
) -> Response {
    let asked = Asked::read(&query);
    let page = match paging::page_request(&query) {
        Ok(page) => page,
        Err(error) => return pages::error(&session, error),
    };
    let threshold = state.settings.notifications.low_stock_threshold;
    let filters = asked.filters(threshold);
    let (listed, status, problem) =
        match products::list_page(&state, filters, Visibility::All, &page, &media).await {
            Ok(listed) => (Some(listed), StatusCode::OK, None),
            // A category or brand that is gone since the page was shown.
            Err(ApiError::Validation(_)) => (
                None,
                StatusCode::BAD_REQUEST,
                Some("That category or brand no longer exists: choose another."),
            ),
            Err(error) => return pages::error(&session, error),
        };
    let (categories, brands) = match choices(&state).await {
        Ok(choices) => choices,
        Err(error) => return pages::error(&session, error),
    };
    let (count, results) = listed.map_or((0, Vec::new()), |page| (page.count, page.results));
    let pages = (count + page.page_size - 1) / page.page_size;
    pages::page_with_status(
        status,
        &session,
        "products/list.html",
        context! {
            products => Value::from(Serde(&results)),
            count,
            page => page.page,
            pages,
            query => asked.query(),
            search => asked.search,
            category => asked.category,
            brand => asked.brand,
            is_active => asked.state,
            low_stock => asked.low_stock,
            filtered => asked.any(),
            threshold,
            categories,
            brands,
            problem,
            notice => query.get("deleted").map(|_| "The product was deleted."),
        },
    )
}

/// The category and brand pickers' options, `[id, label]` each.
pub async fn choices(
    state: &AppState,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), ApiError> {
    Ok((
        categories::choices(&state.db).await?,
        brands::choices(&state.db).await?,
    ))
}
