//! Outgoing email: what a queued `email` job carries ([`Email`]), how it renders ([`render`]), and
//! how it leaves ([`Mailer`]: an SMTP relay when `SMTP_URL` is set, otherwise `.eml` files under
//! `EMAIL_FILE_PATH`, SPEC §1's "console/file" mailer). Messages go through the job queue
//! ([`queue`]); the `email` job's handler is [`send_queued`]. Logs name recipient and Message-ID
//! only: bodies carry reset links, which must never reach the logs.

mod compose;
mod message;
mod render;
mod smtp_url;
mod transport;

pub use self::{
    compose::{compose, message_id},
    message::{DigestItem, Email, Message, OrderLine},
    render::{render, Rendered},
    smtp_url::{Security, SmtpUrl},
    transport::{from_settings, FileMailer, Mailer, SmtpMailer, SMTP_TIMEOUT},
};

use sqlx::AnyConnection;

use crate::jobs::{self, Job, Kind, NewJob};

/// Queues `email` on `conn`, the causing transaction's connection: it is sent by a worker once
/// that transaction commits, retried through an SMTP outage, and never lost.
pub async fn queue(conn: &mut AnyConnection, email: &Email) -> Result<(), sqlx::Error> {
    jobs::enqueue(conn, NewJob::new(Kind::Email, email)).await
}

/// Queues every email of `emails` on `conn`, as [`queue`] does, in multi-row statements.
pub async fn queue_all(conn: &mut AnyConnection, emails: &[Email]) -> Result<(), sqlx::Error> {
    let jobs: Vec<NewJob> = emails
        .iter()
        .map(|email| NewJob::new(Kind::Email, email))
        .collect();
    jobs::enqueue_many(conn, &jobs).await
}

/// The `email` job: render the queued message and hand it to `mailer`. An error (relay down,
/// refused) fails the attempt and the worker retries it later; the worker records success right
/// after the relay accepted, so only a crash between the two resends — with the same Message-ID.
pub async fn send_queued(mailer: &dyn Mailer, frontend_url: &str, job: &Job) -> anyhow::Result<()> {
    let email: Email = job.payload()?;
    mailer.deliver(&email, frontend_url, job).await
}

impl dyn Mailer + '_ {
    /// Renders `email` and sends it with `job`'s stable Message-ID (see [`message_id`]).
    pub async fn deliver(
        &self,
        email: &Email,
        frontend_url: &str,
        job: &Job,
    ) -> anyhow::Result<()> {
        let rendered = render(&email.message, frontend_url)?;
        let message = compose(
            self.from(),
            &email.to,
            &rendered,
            Some(message_id(job, self.from())),
        )?;
        self.send_message(message).await
    }
}
