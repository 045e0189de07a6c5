//! Building the MIME message: `multipart/alternative` with the plain-text part first (the fallback)
//! and the HTML part last (the preferred one), From `DEFAULT_FROM_EMAIL`, and a Message-ID that a
//! resend of the same job repeats, so receiving systems can drop the duplicate.

use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

use super::Rendered;
use crate::jobs::Job;

/// The message for `to` from `from` with `rendered`'s subject and parts.
pub fn compose(
    from: &Mailbox,
    to: &str,
    rendered: &Rendered,
    message_id: Option<String>,
) -> anyhow::Result<lettre::Message> {
    let to: Mailbox = to
        .parse()
        .with_context(|| format!("{to:?} is not an email address"))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(message_id)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(rendered.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(rendered.html.clone()),
                ),
        )
        .context("could not build the email")
}

/// `<job-{id}.{digest}@{sender's domain}>`: the same for every attempt of `job`. The id alone would
/// repeat across installs (a fresh database starts at 1 again, with the same sender domain), and a
/// receiver that dedupes by Message-ID would then drop a real message; the payload digest keeps two
/// different messages apart while a retry of one job stays identical.
pub fn message_id(job: &Job, from: &Mailbox) -> String {
    let digest = Sha256::digest(job.payload.as_bytes());
    format!(
        "<job-{}.{}@{}>",
        job.id,
        hex::encode(&digest[..6]),
        from.email.domain()
    )
}

#[cfg(test)]
mod tests {
    use crate::jobs::Kind;

    use super::*;

    fn job(id: i64, payload: &str) -> Job {
        Job {
            id,
            kind: Kind::Email,
            payload: payload.into(),
            attempts: 1,
        }
    }

    #[test]
    fn the_message_id_is_stable_per_job_and_differs_between_jobs() {
        let from: Mailbox = "Shop <noreply@shop.example>".parse().unwrap();
        let first = message_id(&job(7, r#"{"to":"a@x.example"}"#), &from);
        let mut retried = job(7, r#"{"to":"a@x.example"}"#);
        retried.attempts = 3;
        assert_eq!(first, message_id(&retried, &from));
        assert!(
            first.starts_with("<job-7.") && first.ends_with("@shop.example>"),
            "{first}"
        );
        assert_ne!(first, message_id(&job(7, r#"{"to":"b@x.example"}"#), &from));
        assert_ne!(first, message_id(&job(8, r#"{"to":"a@x.example"}"#), &from));
    }

    #[test]
    fn a_message_has_both_parts_the_sender_and_the_given_id() {
        let from: Mailbox = "Shop <noreply@shop.example>".parse().unwrap();
        let rendered = Rendered {
            subject: "Hello".into(),
            text: "plain words".into(),
            html: "<p>html words</p>".into(),
        };
        let message = compose(
            &from,
            "ann@example.com",
            &rendered,
            Some("<job-1.ab@shop.example>".into()),
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        for expected in [
            "From: Shop <noreply@shop.example>",
            "To: ann@example.com",
            "Subject: Hello",
            "Message-ID: <job-1.ab@shop.example>",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "plain words",
            "<p>html words</p>",
        ] {
            assert!(raw.contains(expected), "{expected} missing in\n{raw}");
        }
        assert!(raw.find("text/plain").unwrap() < raw.find("text/html").unwrap());
        assert!(compose(&from, "not an address", &rendered, None).is_err());
    }
}
