//! `GET /dashboard/products/{id}/`: one product's form, its images and its stock (the latest
//! movements), each section a form of its own. A failed action shows this page again with that
//! section's form as typed and its errors ([`Shown`]).

use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde, Value};
use serde::Serialize;

use super::{form::ProductForm, list::choices};
use crate::{
    catalog::products::{self, ProductKey, ProductView, Visibility},
    dashboard::{extract::Path, pages, session::StaffSession},
    error::{ApiError, FieldErrors},
    http::{
        extract::QueryPairs,
        pagination::{Page, PageRequest},
    },
    inventory,
    media::MediaUrls,
    state::AppState,
};

/// Movements the page shows, newest first (the API's `GET products/{id}/stock/` pages them all).
const MOVEMENTS_SHOWN: i64 = 50;

/// The notices a redirect's flag asks for (fixed texts; nothing from the address is shown).
const NOTICES: &[(&str, &str)] = &[
    ("created", "The product was created."),
    ("saved", "Your changes were saved."),
    ("adjusted", "The stock was adjusted."),
    ("uploaded", "The image was uploaded."),
    ("reordered", "The images were reordered."),
    ("image_deleted", "The image was deleted."),
    (
        "deactivated",
        "The product appears in orders, so it was deactivated instead of deleted.",
    ),
];

/// What the page shows besides the stored product: a section's form as typed and its errors
/// after a failed action, or a notice after a successful one.
#[derive(Default)]
pub struct Shown {
    /// The product form as typed (`None`: the stored product).
    pub form: Option<ProductForm>,
    pub errors: FieldErrors,
    /// The stock form as typed.
    pub stock: StockForm,
    pub stock_errors: FieldErrors,
    /// A refused adjustment's message (stock would go below 0).
    pub stock_problem: Option<String>,
    pub image_errors: FieldErrors,
    pub notice: Option<&'static str>,
}

/// The stock adjustment form's values.
#[derive(Debug, Default, Serialize)]
pub struct StockForm {
    pub delta: String,
    pub reason: String,
}

/// The orders the move buttons of an image post: `up` swaps it with the one before, `down` with
/// the one after (`None` at either end).
#[derive(Debug, Serialize)]
struct Moves {
    up: Option<Vec<i64>>,
    down: Option<Vec<i64>>,
}

fn moves(ids: &[i64]) -> Vec<Moves> {
    let swapped = |a: usize, b: usize| {
        let mut order = ids.to_vec();
        order.swap(a, b);
        order
    };
    (0..ids.len())
        .map(|i| Moves {
            up: (i > 0).then(|| swapped(i - 1, i)),
            down: (i + 1 < ids.len()).then(|| swapped(i, i + 1)),
        })
        .collect()
}

/// The page.
pub async fn edit_page(
    State(state): State<AppState>,
    session: StaffSession,
    media: MediaUrls,
    Path(id): Path<i64>,
    query: QueryPairs,
) -> Response {
    let notice = NOTICES
        .iter()
        .find(|(flag, _)| query.get(flag).is_some())
        .map(|(_, text)| *text);
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    render(&state, &session, &media, id, StatusCode::OK, shown).await
}

/// The page for product `id` answered with `status`; the 404 page when there is no such product.
pub async fn render(
    state: &AppState,
    session: &StaffSession,
    media: &MediaUrls,
    id: i64,
    status: StatusCode,
    shown: Shown,
) -> Response {
    let found = match gather(state, media, id).await {
        Ok(found) => found,
        Err(error) => return pages::error(session, error),
    };
    let form = shown
        .form
        .unwrap_or_else(|| ProductForm::of_product(&found.product));
    let ids: Vec<i64> = found.product.images.iter().map(|image| image.id).collect();
    pages::page_with_status(
        status,
        session,
        "products/edit.html",
        context! {
            product => Value::from(Serde(&found.product)),
            form => Value::from(Serde(&form)),
            errors => Value::from(Serde(&shown.errors)),
            categories => found.categories,
            brands => found.brands,
            stock => Value::from(Serde(&shown.stock)),
            stock_errors => Value::from(Serde(&shown.stock_errors)),
            stock_problem => shown.stock_problem,
            image_errors => Value::from(Serde(&shown.image_errors)),
            moves => Value::from(Serde(moves(&ids))),
            movements => Value::from(Serde(&found.movements.results)),
            movements_count => found.movements.count,
            movements_shown => MOVEMENTS_SHOWN,
            notice => shown.notice,
        },
    )
}

/// What the page reads: the product (with its images), its latest movements, the pickers.
struct Found {
    product: ProductView,
    movements: Page<inventory::MovementView>,
    categories: Vec<(i64, String)>,
    brands: Vec<(i64, String)>,
}

async fn gather(state: &AppState, media: &MediaUrls, id: i64) -> Result<Found, ApiError> {
    let product = products::find(&state.db, &ProductKey::Id(id), Visibility::All, media).await?;
    let latest = PageRequest::parse(String::new(), &format!("page_size={MOVEMENTS_SHOWN}"))?;
    let movements = inventory::movements(&state.db, id, &latest).await?;
    let (categories, brands) = choices(state).await?;
    Ok(Found {
        product,
        movements,
        categories,
        brands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_move_swaps_an_image_with_its_neighbour() {
        let moves = moves(&[7, 8, 9]);
        assert_eq!(moves[0].up, None);
        assert_eq!(moves[0].down, Some(vec![8, 7, 9]));
        assert_eq!(moves[1].up, Some(vec![8, 7, 9]));
        assert_eq!(moves[1].down, Some(vec![7, 9, 8]));
        assert_eq!(moves[2].down, None);
    }
}
