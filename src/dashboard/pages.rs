//! Rendering the pages from the templates in `templates/dashboard/` (compiled into the binary),
//! each extending `layout.html`; minijinja escapes what HTML templates insert. Also the pages
//! every section shares: a message, "not allowed", the 404 page and a failure.

use std::sync::OnceLock;

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use minijinja::{context, Environment, Value};

use super::session::StaffSession;
use crate::error::ApiError;

/// The templates every section uses: the layout, the form macros and the message page.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("layout.html"),
    template!("forms.html"),
    template!("message.html"),
];

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let templates = super::TEMPLATES.iter().flat_map(|list| list.iter());
        crate::templates::environment("dashboard", templates, |_| {})
    })
}

/// The page `name` rendered with `context`, answered with `status`.
pub fn render(status: StatusCode, name: &str, context: Value) -> Response {
    let rendered = environment()
        .get_template(name)
        .and_then(|template| template.render(context));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => ApiError::Internal(anyhow::anyhow!("rendering dashboard/{name}: {error:#}"))
            .into_response(),
    }
}

/// The signed-in page `name` (`200`): `context` plus what the layout needs (the user, the
/// sign-out form's token, the menu's current section: the template's folder).
pub fn page(session: &StaffSession, name: &str, context: Value) -> Response {
    page_with_status(StatusCode::OK, session, name, context)
}

/// [`page`] answered with `status` (a form shown again with its errors is a `400`).
pub fn page_with_status(
    status: StatusCode,
    session: &StaffSession,
    name: &str,
    context: Value,
) -> Response {
    let section = name
        .split_once('/')
        .map_or("overview", |(folder, _)| folder);
    let context = context! {
        user => context! { email => &session.email, id => session.user_id },
        is_admin => session.role.is_admin(),
        csrf_token => &session.csrf_token,
        section,
        ..context
    };
    render(status, name, context)
}

/// A page that only says something (not allowed, form expired), outside any session.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    render(
        status,
        "message.html",
        context! { title, text, user => Value::from(()), csrf_token => "" },
    )
}

/// A page that only says something, inside the signed-in layout.
fn signed_in_message(
    status: StatusCode,
    session: &StaffSession,
    title: &str,
    text: &str,
) -> Response {
    page_with_status(status, session, "message.html", context! { title, text })
}

/// `403`: a page this staff member's role may not see (user management is admin-only).
pub fn not_allowed(session: &StaffSession) -> Response {
    signed_in_message(
        StatusCode::FORBIDDEN,
        session,
        "Not allowed",
        "Only admins can see this page.",
    )
}

/// `404` inside the dashboard, with the menu when signed in.
pub fn not_found(session: Option<&StaffSession>) -> Response {
    let (title, text) = (
        "Not found",
        "There is nothing at this address. It may have been deleted.",
    );
    match session {
        Some(session) => signed_in_message(StatusCode::NOT_FOUND, session, title, text),
        None => message(StatusCode::NOT_FOUND, title, text),
    }
}

/// Any `/dashboard/…` path no route knows.
pub async fn not_found_page(session: Result<StaffSession, Response>) -> Response {
    not_found(session.as_ref().ok())
}

/// A domain error as a page: the 404 page, the API's message for a refused action (a `409`, a
/// `400` outside a form), and "Something went wrong" for a failure (logged in full by
/// `ApiError`, never shown).
pub fn error(session: &StaffSession, error: ApiError) -> Response {
    let status = error.status();
    match error {
        _ if status == StatusCode::NOT_FOUND => not_found(Some(session)),
        ApiError::Client { detail, .. } => signed_in_message(status, session, "Not done", &detail),
        ApiError::Validation(errors) => {
            let text = errors
                .iter()
                .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
                .collect::<Vec<_>>()
                .join("; ");
            signed_in_message(status, session, "Not done", &text)
        }
        failure => {
            // The API's response logs the failure; the page says only that it happened.
            let status = failure.into_response().status();
            signed_in_message(
                status,
                session,
                "Something went wrong",
                "The server could not do this. Try again; if it keeps failing, tell the operators.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in super::super::TEMPLATES.iter().flat_map(|list| list.iter()) {
            assert!(environment().get_template(name).is_ok(), "{name}");
        }
    }
}
