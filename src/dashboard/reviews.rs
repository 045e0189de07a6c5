//! Reviews: the queue of reported reviews, and hiding or unhiding one through the reviews
//! feature's own moderation (`reviews::set_hidden`, as `POST reviews/{id}/hide/` does).

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use minijinja::{context, value::Serde};

use super::{
    extract::{Path, StaffForm},
    pages, paging,
    session::StaffSession,
};
use crate::{http::extract::QueryPairs, reviews, state::AppState};

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/reviews/", get(queue))
        .route("/dashboard/reviews/{id}/hide/", post(hide))
        .route("/dashboard/reviews/{id}/unhide/", post(unhide))
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[template!("reviews/queue.html")];

/// Which reported reviews the queue shows (`?show=`): the ones still public by default, since
/// those are the ones waiting for a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Show {
    Visible,
    Hidden,
    All,
}

impl Show {
    /// `?show=` as given; anything unknown is the default.
    fn parse(raw: &str) -> Self {
        match raw {
            "hidden" => Show::Hidden,
            "all" => Show::All,
            _ => Show::Visible,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Show::Visible => "visible",
            Show::Hidden => "hidden",
            Show::All => "all",
        }
    }

    /// The reviews front's filter.
    fn hidden(self) -> Option<bool> {
        match self {
            Show::Visible => Some(false),
            Show::Hidden => Some(true),
            Show::All => None,
        }
    }
}

/// `GET /dashboard/reviews/?show=&page=`: the reported reviews, most reported first.
async fn queue(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let show = Show::parse(query.get("show").unwrap_or_default());
    let page = match paging::page_request(&query) {
        Ok(page) => page,
        Err(error) => return pages::error(&session, error),
    };
    let found = match reviews::reported_reviews(&state, show.hidden(), &page).await {
        Ok(found) => found,
        Err(error) => return pages::error(&session, error),
    };
    let done = match query.get("done") {
        Some("hidden") => "hidden",
        Some("unhidden") => "unhidden",
        _ => "",
    };
    pages::page(
        &session,
        "reviews/queue.html",
        context! {
            queue => Serde(&found.results),
            count => found.count,
            show => show.as_str(),
            done,
            page => page.page,
            pages => paging::page_count(found.count, &page),
            filters => paging::filters_query([("show", show.as_str())]),
        },
    )
}

/// `POST /dashboard/reviews/{id}/hide/`.
async fn hide(state: State<AppState>, id: Path<i64>, form: StaffForm) -> Response {
    set_hidden(state, id, form, true).await
}

/// `POST /dashboard/reviews/{id}/unhide/`.
async fn unhide(state: State<AppState>, id: Path<i64>, form: StaffForm) -> Response {
    set_hidden(state, id, form, false).await
}

/// Hides or unhides review `id` as the API does, then back to the queue the form came from.
async fn set_hidden(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm,
    hidden: bool,
) -> Response {
    if let Err(error) = reviews::set_hidden(&state, id, hidden).await {
        return pages::error(&form.session, error);
    }
    let show = Show::parse(form.fields.get("show")).as_str();
    let done = if hidden { "hidden" } else { "unhidden" };
    Redirect::to(&format!("/dashboard/reviews/?show={show}&done={done}")).into_response()
}
