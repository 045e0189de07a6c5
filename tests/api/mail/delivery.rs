//! A queued email reaches a real SMTP server over each of SPEC §3.6's three `SMTP_URL` forms, and
//! nothing is sent when the connection can't be secured the way the URL says.

use std::time::Duration;

use super::{jobs, queue_password_changed, smtp_test, wait_for_jobs};

const FROM: &str = "Nexus Shop <shop@nexus.test>";

smtp_test! {
    async fn a_queued_email_arrives_over_plain_smtp_with_both_parts_and_a_stable_message_id(
        backend: Backend,
    ) {
        let server = SmtpServer::start(SmtpTls::None);
        let url = server.url();
        let app = TestApp::spawn_with(backend, &[("SMTP_URL", &url), ("DEFAULT_FROM_EMAIL", FROM)])
            .await
            .expect(POSTGRES_UNSET);
        queue_password_changed(&app, "ann@example.com").await;

        let messages = server.wait_for(1, Duration::from_secs(15)).await;
        assert_eq!(messages.len(), 1, "{messages:?}");
        let raw = &messages[0];
        assert_eq!(header(raw, "From").as_deref(), Some("\"Nexus Shop\" <shop@nexus.test>"));
        assert_eq!(header(raw, "To").as_deref(), Some("ann@example.com"));
        // aiosmtpd records the envelope: the mail went to the recipient, from the sender's address.
        assert_eq!(header(raw, "X-RcptTo").as_deref(), Some("ann@example.com"));
        assert_eq!(header(raw, "X-MailFrom").as_deref(), Some("shop@nexus.test"));
        assert_eq!(
            header(raw, "Subject").as_deref(),
            Some("Your Nexus Commerce password was changed")
        );
        assert!(header(raw, "Content-Type").unwrap().starts_with("multipart/alternative"), "{raw}");
        let body = decoded(raw);
        let text = body.find("Content-Type: text/plain").expect("a text part");
        let html = body.find("Content-Type: text/html").expect("an HTML part");
        assert!(text < html, "the HTML part, preferred, comes last");
        assert!(body[text..html].contains("http://frontend.test/forgot-password"), "{body}");
        assert!(body[html..].contains("<html"), "{body}");

        let rows = wait_for_jobs(&app, 5, |rows| rows.iter().all(|r| r.state == "done")).await;
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].state.as_str(), rows[0].attempts), ("done", 1));
        let id = header(raw, "Message-ID").unwrap();
        let prefix = format!("<job-{}.", rows[0].id);
        assert!(id.starts_with(&prefix) && id.ends_with("@nexus.test>"), "{id}");
        assert!(app.sent_emails().is_empty(), "with SMTP_URL nothing is written to files");
    }

    async fn starttls_is_used_with_the_ca_from_smtp_ca_file(backend: Backend) {
        let server = SmtpServer::start(SmtpTls::StartTls);
        let (url, ca) = (server.url(), server.ca_file());
        let app = TestApp::spawn_with(backend, &[("SMTP_URL", &url), ("SMTP_CA_FILE", &ca)])
            .await
            .expect(POSTGRES_UNSET);
        queue_password_changed(&app, "ann@example.com").await;
        // The server refuses MAIL before STARTTLS (aiosmtpd's require_starttls): arriving proves TLS.
        let messages = server.wait_for(1, Duration::from_secs(15)).await;
        assert_eq!(messages.len(), 1, "{:?}", jobs(&app).await);
        assert_eq!(header(&messages[0], "To").as_deref(), Some("ann@example.com"));
    }

    async fn implicit_tls_is_used_for_smtps_urls(backend: Backend) {
        let server = SmtpServer::start(SmtpTls::Implicit);
        let (url, ca) = (server.url(), server.ca_file());
        assert!(url.starts_with("smtps://"));
        let app = TestApp::spawn_with(backend, &[("SMTP_URL", &url), ("SMTP_CA_FILE", &ca)])
            .await
            .expect(POSTGRES_UNSET);
        queue_password_changed(&app, "ann@example.com").await;
        let messages = server.wait_for(1, Duration::from_secs(15)).await;
        assert_eq!(messages.len(), 1, "{:?}", jobs(&app).await);
    }

    async fn an_untrusted_certificate_sends_nothing_and_fails_the_job(backend: Backend) {
        let server = SmtpServer::start(SmtpTls::Implicit);
        let url = server.url();
        let app = TestApp::spawn_with(backend, &[("SMTP_URL", &url), ("JOBS_MAX_ATTEMPTS", "1")])
            .await
            .expect(POSTGRES_UNSET);
        queue_password_changed(&app, "ann@example.com").await;
        let rows = wait_for_jobs(&app, 15, |rows| rows.iter().all(|r| r.state == "failed")).await;
        assert_eq!(rows[0].state, "failed", "{rows:?}");
        let error = rows[0].last_error.as_deref().unwrap_or_default();
        assert!(error.contains("127.0.0.1"), "the error names the relay: {error}");
        assert!(server.messages().is_empty());
    }

    async fn smtp_urls_without_tls_none_refuse_a_server_that_offers_no_starttls(backend: Backend) {
        let server = SmtpServer::start(SmtpTls::None);
        let url = server.url().replace("?tls=none", "");
        let app = TestApp::spawn_with(backend, &[("SMTP_URL", &url), ("JOBS_MAX_ATTEMPTS", "1")])
            .await
            .expect(POSTGRES_UNSET);
        queue_password_changed(&app, "ann@example.com").await;
        let rows = wait_for_jobs(&app, 15, |rows| rows.iter().all(|r| r.state == "failed")).await;
        assert_eq!(rows[0].state, "failed", "{rows:?}");
        assert!(server.messages().is_empty(), "nothing went out in the clear");
    }
}
