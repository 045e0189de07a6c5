//! Turning a [`Message`] into a subject, a plain-text part and an HTML part, from the template
//! files in `templates/email/` (compiled into the binary, so it runs from any directory).
//!
//! Each message has `<name>.txt`, which sets `subject` and writes the text part, and `<name>.html`,
//! which extends the one `layout.html`. HTML templates escape what they insert; text ones don't.

use std::sync::OnceLock;

use anyhow::Context;
use minijinja::{Environment, Value};

use super::Message;

/// A message ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every template file, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../templates/email/layout.html"),
    ),
    (
        "password_changed.txt",
        include_str!("../../templates/email/password_changed.txt"),
    ),
    (
        "password_changed.html",
        include_str!("../../templates/email/password_changed.html"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        // A misspelt variable is an error, not a silently empty line in a customer's email.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|err| panic!("templates/email/{name} does not parse: {err}"));
        }
        env
    })
}

/// Renders `message`; links start with `frontend_url` (`FRONTEND_URL`, no trailing slash).
pub fn render(message: &Message, frontend_url: &str) -> anyhow::Result<Rendered> {
    let env = environment();
    let name = message.template();
    let context = Value::from(minijinja::value::Serde(message));
    let context = minijinja::context! { frontend_url => frontend_url, ..context };
    let text = env
        .get_template(&format!("{name}.txt"))
        .with_context(|| format!("no text template for {name}"))?
        .render_captured(context.clone())
        .with_context(|| format!("could not render {name}.txt"))?;
    let subject = text
        .state()
        .lookup("subject")
        .and_then(|value| value.as_str().map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
        .with_context(|| format!("{name}.txt sets no subject"))?;
    let html = env
        .get_template(&format!("{name}.html"))
        .with_context(|| format!("no HTML template for {name}"))?
        .render(context)
        .with_context(|| format!("could not render {name}.html"))?;
    Ok(Rendered {
        subject,
        text: text.output().trim().to_owned(),
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_changed_notice_has_a_subject_both_parts_and_the_frontend_link() {
        let rendered = render(&Message::PasswordChanged, "https://shop.example").unwrap();
        assert_eq!(rendered.subject, "Your Nexus Commerce password was changed");
        assert!(rendered
            .text
            .contains("https://shop.example/forgot-password"));
        assert!(!rendered.text.contains("subject"));
        // HTML escaping writes `/` as `&#x2f;`, which every mail client decodes in a link.
        assert!(rendered
            .html
            .contains("href=\"https:&#x2f;&#x2f;shop.example/forgot-password\""));
        assert!(rendered.html.contains("notification settings"));
    }
}
