//! The two ways a built message leaves: an SMTP relay (`SMTP_URL`) or, without one, an `.eml` file
//! per message under `EMAIL_FILE_PATH` (SPEC §1's "console/file" mailer). Both are lettre
//! transports; logs name the recipient and the Message-ID only — bodies carry reset links.

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use futures_util::future::BoxFuture;
use lettre::{
    message::Mailbox,
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, Tls, TlsParameters},
    },
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use secrecy::ExposeSecret;

use super::smtp_url::{Security, SmtpUrl};
use crate::config::Settings;

/// How long a connection attempt or one SMTP command may take: an outage should fail the job fast
/// (the queue retries it) rather than hold a worker slot for lettre's default minute.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Something that delivers built messages.
pub trait Mailer: Send + Sync {
    /// The sender every message carries (`DEFAULT_FROM_EMAIL`).
    fn from(&self) -> &Mailbox;
    /// Hands `message` over; `Ok` once the relay accepted it (or the file is written).
    fn send_message(&self, message: lettre::Message) -> BoxFuture<'_, anyhow::Result<()>>;
}

/// The mailer `settings` ask for: SMTP when `SMTP_URL` is set, the file mailer otherwise.
pub fn from_settings(settings: &Settings) -> anyhow::Result<Arc<dyn Mailer>> {
    let from: Mailbox = settings.default_from_email.parse().with_context(|| {
        format!(
            "DEFAULT_FROM_EMAIL {:?} is not an address",
            settings.default_from_email
        )
    })?;
    let Some(raw) = &settings.notifications.smtp_url else {
        return Ok(Arc::new(FileMailer::new(from, settings.email_dir())));
    };
    let url = SmtpUrl::parse(raw.expose_secret())?;
    let ca = match &settings.notifications.smtp_ca_file {
        Some(path) => Some(
            std::fs::read(path)
                .with_context(|| format!("could not read SMTP_CA_FILE {}", path.display()))?,
        ),
        None => None,
    };
    Ok(Arc::new(SmtpMailer::new(from, &url, ca.as_deref())?))
}

/// Sends through an SMTP relay, keeping a small pool of open connections.
pub struct SmtpMailer {
    from: Mailbox,
    relay: String,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// A mailer for `url`; `ca_pem` is trusted besides the built-in roots (`SMTP_CA_FILE`).
    pub fn new(from: Mailbox, url: &SmtpUrl, ca_pem: Option<&[u8]>) -> anyhow::Result<Self> {
        let tls = match url.security {
            Security::None => Tls::None,
            Security::StartTls => Tls::Required(tls_parameters(&url.host, ca_pem)?),
            Security::ImplicitTls => Tls::Wrapper(tls_parameters(&url.host, ca_pem)?),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.as_str())
                .port(url.port)
                .tls(tls)
                .timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = &url.username {
            let password = url
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            from,
            relay: format!("{} ({})", url.address(), url.security),
            transport: builder.build(),
        })
    }
}

fn tls_parameters(host: &str, ca_pem: Option<&[u8]>) -> anyhow::Result<TlsParameters> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(pem) = ca_pem {
        let certificate =
            Certificate::from_pem(pem).context("SMTP_CA_FILE holds no PEM certificate")?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build_rustls()
        .context("could not set up TLS for SMTP_URL")
}

impl Mailer for SmtpMailer {
    fn from(&self) -> &Mailbox {
        &self.from
    }

    fn send_message(&self, message: lettre::Message) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            let (to, id) = describe(&message);
            self.transport.send(message).await.with_context(|| {
                format!("SMTP relay {} did not take the email {id}", self.relay)
            })?;
            tracing::info!(to = %to, message_id = %id, relay = %self.relay, "email sent");
            Ok(())
        })
    }
}

/// Writes each message as an `.eml` file (named by lettre, a UUID) and logs that it did.
pub struct FileMailer {
    from: Mailbox,
    dir: PathBuf,
    transport: AsyncFileTransport<Tokio1Executor>,
}

impl FileMailer {
    pub fn new(from: Mailbox, dir: PathBuf) -> Self {
        Self {
            from,
            transport: AsyncFileTransport::new(&dir),
            dir,
        }
    }
}

impl Mailer for FileMailer {
    fn from(&self) -> &Mailbox {
        &self.from
    }

    fn send_message(&self, message: lettre::Message) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            // Created on each send, not once: an operator may empty or remove it while we run.
            tokio::fs::create_dir_all(&self.dir)
                .await
                .with_context(|| {
                    format!("could not create the mail directory {}", self.dir.display())
                })?;
            let (to, id) = describe(&message);
            let file =
                self.transport.send(message).await.with_context(|| {
                    format!("could not write an email into {}", self.dir.display())
                })?;
            tracing::info!(to = %to, message_id = %id, file = %format!("{file}.eml"), "email written");
            Ok(())
        })
    }
}

/// Recipient and Message-ID, the two things a log line may say about a message.
fn describe(message: &lettre::Message) -> (String, String) {
    let headers = message.headers();
    let get = |name: &str| headers.get_raw(name).unwrap_or_default().to_owned();
    (get("To"), get("Message-ID"))
}
