//! Turning a [`Message`] into a subject, a plain-text part and an HTML part, from the template
//! files in `templates/email/` (compiled into the binary, so it runs from any directory).
//!
//! Each message has `<name>.txt`, which sets `subject` and writes the text part, and `<name>.html`,
//! which extends the one `layout.html` (its `<title>` is that subject). HTML templates escape what
//! they insert; text ones don't. Link conventions are in docs/notifications.md.

use std::sync::OnceLock;

use anyhow::Context;
use chrono::{DateTime, Utc};
use minijinja::{Environment, Value};

use super::Message;

/// A message ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Includes `templates/email/<name>` under its name.
macro_rules! template {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../templates/email/", $name)),
        )
    };
}

/// Every template file, by name.
const TEMPLATES: &[(&str, &str)] = &[
    template!("layout.html"),
    template!("order_confirmation.txt"),
    template!("order_confirmation.html"),
    template!("order_status.txt"),
    template!("order_status.html"),
    template!("payment_result.txt"),
    template!("payment_result.html"),
    template!("password_changed.txt"),
    template!("password_changed.html"),
    template!("password_reset.txt"),
    template!("password_reset.html"),
    template!("digest.txt"),
    template!("digest.html"),
];

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        crate::templates::environment("email", TEMPLATES, |env| env.add_filter("when", when))
    })
}

/// The `when` filter: an RFC 3339 time as a reader would write it (`7 Aug 2025, 12:00 UTC`).
/// Anything else is shown as given: a date is worth less than the email it is in.
fn when(value: &str) -> String {
    DateTime::parse_from_rfc3339(value).map_or_else(
        |_| value.to_owned(),
        |time| {
            time.with_timezone(&Utc)
                .format("%-d %b %Y, %H:%M UTC")
                .to_string()
        },
    )
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
    // One line whatever the data inside it: a subject is a header.
    let subject = text
        .state()
        .lookup("subject")
        .and_then(|value| {
            value
                .as_str()
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .filter(|s| !s.is_empty())
        .with_context(|| format!("{name}.txt sets no subject"))?;
    let html = env
        .get_template(&format!("{name}.html"))
        .with_context(|| format!("no HTML template for {name}"))?
        .render(minijinja::context! { subject => &subject, ..context })
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
    use crate::mail::{DigestItem, OrderLine};

    const SHOP: &str = "https://shop.example";

    fn render_it(message: &Message) -> Rendered {
        render(message, SHOP).unwrap_or_else(|err| panic!("{}: {err:#}", message.template()))
    }

    /// HTML escaping writes `/` as `&#x2f;` (mail clients decode it, in links too): compare
    /// HTML with that undone.
    fn unescaped_slashes(html: &str) -> String {
        html.replace("&#x2f;", "/")
    }

    fn order_confirmation(title: &str) -> Message {
        Message::OrderConfirmation {
            order_id: 42,
            order_number: "ORD-20250807-0042".into(),
            total: "1049.80".into(),
            items: vec![
                OrderLine {
                    title: title.into(),
                    quantity: 2,
                    line_total: "999.90".into(),
                },
                OrderLine {
                    title: "USB cable".into(),
                    quantity: 1,
                    line_total: "49.90".into(),
                },
            ],
        }
    }

    fn digest(period: &str, items: usize, more: i64) -> Message {
        let notifications = [
            DigestItem {
                title: "Order ORD-7 shipped".into(),
                message: "Your order is on its way.".into(),
                action_url: "/orders/7".into(),
                created_at: "2025-08-07T12:00:00.123456Z".into(),
            },
            DigestItem {
                title: "Welcome".into(),
                message: "Thanks for joining.".into(),
                action_url: String::new(),
                created_at: "2025-08-06T09:05:00Z".into(),
            },
        ];
        Message::Digest {
            period: period.into(),
            notifications: notifications.into_iter().take(items).collect(),
            more,
        }
    }

    /// One message of every variant, and what its text and HTML must both say. The match is
    /// exhaustive, so a new variant fails to compile here until it has templates and facts.
    fn every_variant() -> Vec<(Message, Vec<&'static str>)> {
        let samples = vec![
            order_confirmation("Laptop"),
            Message::OrderStatus {
                order_id: 7,
                order_number: "ORD-7".into(),
                status: "shipped".into(),
            },
            Message::PaymentResult {
                order_id: 7,
                order_number: "ORD-7".into(),
                amount: "99.90".into(),
                succeeded: true,
            },
            Message::PasswordChanged,
            Message::PasswordReset {
                reset_url: "https://shop.example/reset-password/MQ/tok-en_1".into(),
            },
            digest("daily", 2, 0),
        ];
        samples
            .into_iter()
            .map(|message| {
                let facts = match &message {
                    Message::OrderConfirmation { .. } => vec![
                        "ORD-20250807-0042",
                        "Laptop",
                        "999.90",
                        "USB cable",
                        "1049.80",
                        "https://shop.example/orders/42",
                    ],
                    Message::OrderStatus { .. } => {
                        vec!["ORD-7", "has shipped", "https://shop.example/orders/7"]
                    }
                    Message::PaymentResult { .. } => {
                        vec![
                            "ORD-7",
                            "99.90",
                            "received",
                            "https://shop.example/orders/7",
                        ]
                    }
                    Message::PasswordChanged => {
                        vec!["was just changed", "https://shop.example/forgot-password"]
                    }
                    Message::PasswordReset { .. } => vec![
                        "https://shop.example/reset-password/MQ/tok-en_1",
                        "one hour",
                        "works once",
                    ],
                    Message::Digest { .. } => vec![
                        "Order ORD-7 shipped",
                        "Your order is on its way.",
                        "https://shop.example/orders/7",
                        "Welcome",
                        "https://shop.example/notifications",
                    ],
                };
                (message, facts)
            })
            .collect()
    }

    #[test]
    fn every_message_renders_a_subject_both_parts_and_its_key_facts() {
        for (message, facts) in every_variant() {
            let name = message.template();
            let rendered = render_it(&message);
            assert!(!rendered.subject.is_empty(), "{name}: empty subject");
            assert!(
                !rendered.text.contains("subject"),
                "{name}: {}",
                rendered.text
            );
            let html = unescaped_slashes(&rendered.html);
            assert!(
                html.starts_with("<!DOCTYPE html>"),
                "{name} extends the layout"
            );
            assert!(
                html.contains("https://shop.example/notifications/preferences"),
                "{name}: the layout's settings link"
            );
            for fact in facts {
                assert!(
                    rendered.text.contains(fact),
                    "{name} text lacks {fact:?}:\n{}",
                    rendered.text
                );
                assert!(html.contains(fact), "{name} HTML lacks {fact:?}:\n{html}");
            }
        }
    }

    #[test]
    fn the_html_title_is_the_subject() {
        let rendered = render_it(&order_confirmation("Laptop"));
        assert_eq!(
            rendered.subject,
            "Your order ORD-20250807-0042 is confirmed"
        );
        assert!(rendered
            .html
            .contains("<title>Your order ORD-20250807-0042 is confirmed</title>"));
    }

    #[test]
    fn html_escapes_a_hostile_product_title_and_text_keeps_it_as_written() {
        let hostile = "<script>alert('x')</script> & \"Co\"";
        let rendered = render_it(&order_confirmation(hostile));
        assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
        assert!(
            rendered.html.contains("&lt;script&gt;"),
            "{}",
            rendered.html
        );
        assert!(
            rendered.html.contains("&amp; &quot;Co&quot;"),
            "{}",
            rendered.html
        );
        assert!(rendered.text.contains(hostile), "{}", rendered.text);
        assert!(!rendered.text.contains("&lt;"), "{}", rendered.text);
        assert!(!rendered.text.contains("&amp;"), "{}", rendered.text);
    }

    #[test]
    fn the_text_lists_one_line_per_ordered_item() {
        let rendered = render_it(&order_confirmation("Laptop"));
        assert!(rendered
            .text
            .contains("- 2 × Laptop: 999.90\n- 1 × USB cable: 49.90\n"));
        assert!(rendered.text.contains("Total: 1049.80"));
    }

    #[test]
    fn a_subject_stays_one_line_whatever_the_data_in_it() {
        let message = Message::OrderStatus {
            order_id: 1,
            order_number: "ORD-1\r\nBcc: victim@example.org".into(),
            status: "shipped".into(),
        };
        let rendered = render_it(&message);
        assert_eq!(
            rendered.subject,
            "Your order ORD-1 Bcc: victim@example.org has shipped"
        );
    }

    #[test]
    fn every_order_status_has_its_own_sentence_and_an_unknown_one_is_still_said() {
        for (status, sentence) in [
            ("pending", "is waiting for payment"),
            ("processing", "is being prepared"),
            ("shipped", "has shipped"),
            ("delivered", "was delivered"),
            ("completed", "is complete"),
            ("cancelled", "was cancelled"),
            ("failed", "could not be completed"),
            ("on_hold", "is now on_hold"),
        ] {
            let rendered = render_it(&Message::OrderStatus {
                order_id: 3,
                order_number: "ORD-3".into(),
                status: status.into(),
            });
            assert_eq!(rendered.subject, format!("Your order ORD-3 {sentence}"));
            assert!(rendered
                .text
                .starts_with(&format!("Your order ORD-3 {sentence}.")));
            assert!(rendered
                .html
                .contains(&format!("<strong>ORD-3</strong> {sentence}.")));
        }
    }

    #[test]
    fn a_declined_payment_says_so_and_takes_no_money() {
        let rendered = render_it(&Message::PaymentResult {
            order_id: 9,
            order_number: "ORD-9".into(),
            amount: "15.00".into(),
            succeeded: false,
        });
        assert_eq!(rendered.subject, "Payment declined for order ORD-9");
        for part in [&rendered.text, &rendered.html] {
            assert!(part.contains("was declined"), "{part}");
            assert!(part.contains("no money was taken"), "{part}");
            assert!(!part.contains("received"), "{part}");
        }
    }

    #[test]
    fn a_digest_counts_its_notifications_and_links_only_those_with_a_place_to_go() {
        let rendered = render_it(&digest("weekly", 2, 0));
        assert_eq!(
            rendered.subject,
            "Your weekly summary: 2 unread notifications"
        );
        assert!(rendered.text.contains("from the last week"));
        assert!(rendered.text.contains(
            "- Order ORD-7 shipped (7 Aug 2025, 12:00 UTC)\n  Your order is on its way.\n  \
             https://shop.example/orders/7\n"
        ));
        assert!(rendered
            .text
            .contains("- Welcome (6 Aug 2025, 09:05 UTC)\n  Thanks for joining.\n\n"));
        let html = unescaped_slashes(&rendered.html);
        assert_eq!(
            html.matches("href=\"https://shop.example/orders/7\"")
                .count(),
            1
        );
        assert!(html.contains("6 Aug 2025, 09:05 UTC"));

        let single = render_it(&digest("daily", 1, 0));
        assert_eq!(single.subject, "Your daily summary: 1 unread notification");
        assert!(single
            .text
            .contains("You have 1 unread notification from the last day:"));
        assert!(!single.text.contains("more."));
    }

    #[test]
    fn a_capped_digest_counts_what_it_does_not_list() {
        let rendered = render_it(&digest("daily", 2, 30));
        assert_eq!(
            rendered.subject,
            "Your daily summary: 32 unread notifications"
        );
        assert!(rendered.text.contains("You have 32 unread notifications"));
        assert!(
            rendered.text.contains("… and 30 more.\n"),
            "{}",
            rendered.text
        );
        assert!(
            rendered.html.contains("… and 30 more."),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn the_when_filter_formats_rfc3339_and_leaves_anything_else_alone() {
        assert_eq!(when("2025-01-02T03:04:05+01:00"), "2 Jan 2025, 02:04 UTC");
        assert_eq!(when("yesterday"), "yesterday");
    }
}
