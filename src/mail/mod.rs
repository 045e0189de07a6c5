//! Outgoing email behind a [`Mailer`] trait.
//!
//! The built-in mailer is the "console/file" mailer of SPEC §1: each message is written as an
//! `.eml` file under `EMAIL_FILE_PATH` (default `./data/mail`), and the log records recipient and
//! subject only — message bodies carry reset tokens, which must never reach the logs. An SMTP
//! mailer implements the same trait.

mod message;
mod render;

pub use self::{
    message::{DigestItem, Email, Message, OrderLine},
    render::{render, Rendered},
};

use std::path::PathBuf;

use anyhow::Context;
use futures_util::future::BoxFuture;
use sqlx::AnyConnection;

use crate::jobs::{self, Kind, NewJob};

/// Queues `email` on `conn`, the causing transaction's connection: it is sent by a worker once
/// that transaction commits, retried through an SMTP outage, and never lost.
pub async fn queue(conn: &mut AnyConnection, email: &Email) -> Result<(), sqlx::Error> {
    jobs::enqueue(conn, NewJob::new(Kind::Email, email)).await
}

/// One message to send.
#[derive(Clone, Debug)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Something that delivers email.
pub trait Mailer: Send + Sync {
    fn send(&self, email: OutgoingEmail) -> BoxFuture<'_, anyhow::Result<()>>;
}

/// Writes each message to a file and logs that it did.
#[derive(Debug)]
pub struct FileMailer {
    pub from: String,
    pub dir: PathBuf,
}

impl Mailer for FileMailer {
    fn send(&self, email: OutgoingEmail) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            tokio::fs::create_dir_all(&self.dir)
                .await
                .with_context(|| {
                    format!("could not create the mail directory {}", self.dir.display())
                })?;
            let name = format!(
                "{}-{}.eml",
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
                uuid::Uuid::new_v4().simple()
            );
            let path = self.dir.join(name);
            let message = format!(
                "From: {}\r\nTo: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                self.from, email.to, email.subject, email.body
            );
            tokio::fs::write(&path, message)
                .await
                .with_context(|| format!("could not write {}", path.display()))?;
            tracing::info!(to = %email.to, subject = %email.subject, file = %path.display(), "email written");
            Ok(())
        })
    }
}
