//! Rendering the pages from the templates in `templates/dashboard/` (compiled into the binary),
//! each extending `layout.html`. minijinja escapes what HTML templates insert.

use std::sync::OnceLock;

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use minijinja::{context, Environment, Value};

use crate::error::ApiError;

/// Includes `templates/dashboard/<name>` under its name.
macro_rules! template {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../templates/dashboard/", $name)),
        )
    };
}

/// Every template file, by name.
const TEMPLATES: &[(&str, &str)] = &[
    template!("layout.html"),
    template!("sign_in.html"),
    template!("message.html"),
    template!("overview.html"),
];

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| crate::templates::environment("dashboard", TEMPLATES, |_| {}))
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

/// A page that only says something (not allowed, form expired), outside any session.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    render(
        status,
        "message.html",
        context! { title, text, user => Value::from(()), csrf_token => "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(environment().get_template(name).is_ok(), "{name}");
        }
    }
}
