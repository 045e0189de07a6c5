//! The crash case: an instance is killed with SIGKILL while holding claimed email jobs;
//! another instance sends them after the lease; nothing is sent twice — neither those nor the
//! emails the killed instance had already sent.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use tokio::{
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

use super::{jobs, queue_password_changed, smtp_test, wait_for_jobs};
use crate::nexus_process::{nexus, Server};

/// Sent by instance A before it is killed.
const SENT_BEFORE: usize = 3;
/// Claimed by A, stuck in the tarpit, when it is killed.
const HELD: usize = 4;
/// A's lease: how long B must wait before taking A's jobs over.
const LEASE_SECONDS: &str = "3";

/// A TCP relay in front of the SMTP server that can turn into a tarpit: it then cuts the
/// connections it was relaying and accepts new ones without ever answering, so a client's send
/// hangs (until its own timeout) the way it does on a relay that stopped responding.
struct Switch {
    port: u16,
    tarpit: Arc<AtomicBool>,
    relayed: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Switch {
    async fn start(upstream: u16) -> Switch {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tarpit = Arc::new(AtomicBool::new(false));
        let relayed: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (tarpit_flag, relays) = (tarpit.clone(), relayed.clone());
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut client, _)) = listener.accept().await {
                if tarpit_flag.load(Ordering::SeqCst) {
                    held.push(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    let mut server = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                relays.lock().unwrap().push(task.abort_handle());
            }
        });
        Switch {
            port,
            tarpit,
            relayed,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// From now on nothing answers; open relays are cut (a pooled SMTP connection must reconnect).
    fn become_tarpit(&self) {
        self.tarpit.store(true, Ordering::SeqCst);
        for relay in self.relayed.lock().unwrap().drain(..) {
            relay.abort();
        }
    }
}

/// `nexus serve` on the test's database with `smtp_url`, polling fast, with a short lease.
fn instance(dir: &std::path::Path, database_url: &str, smtp_url: &str) -> Server {
    std::fs::create_dir_all(dir).unwrap();
    let mut server = Server::spawn(nexus(
        dir,
        "serve",
        &[
            ("DATABASE_URL", database_url),
            ("SMTP_URL", smtp_url),
            ("JOBS_POLL_INTERVAL_MS", "100"),
            ("JOBS_LEASE_SECONDS", LEASE_SECONDS),
        ],
    ));
    server.address();
    server
}

smtp_test! {
    async fn a_killed_instances_claimed_emails_are_sent_once_by_another_after_the_lease(
        backend: Backend,
    ) {
        let smtp = SmtpServer::start(SmtpTls::None);
        let switch = Switch::start(smtp.port).await;
        // This app only holds the database (and queues into it): its own worker stays off.
        let app = TestApp::spawn_with(backend, &[("JOBS_ENABLED", "false")])
            .await
            .expect(POSTGRES_UNSET);
        let dir = tempfile::tempdir().unwrap();

        let a = instance(&dir.path().join("a"), &app.database_url, &switch.url());
        for n in 0..SENT_BEFORE {
            queue_password_changed(&app, &format!("before{n}@example.com")).await;
        }
        let rows = wait_for_jobs(&app, 20, |rows| rows.iter().all(|r| r.state == "done")).await;
        assert!(rows.iter().all(|r| r.state == "done"), "A sent the first emails: {rows:?}");
        assert_eq!(smtp.messages().len(), SENT_BEFORE);

        switch.become_tarpit();
        for n in 0..HELD {
            queue_password_changed(&app, &format!("held{n}@example.com")).await;
        }
        let rows = wait_for_jobs(&app, 10, |rows| {
            rows.iter().filter(|r| r.state == "running").count() == HELD
        })
        .await;
        let held: Vec<i64> = rows.iter().filter(|r| r.state == "running").map(|r| r.id).collect();
        assert_eq!(held.len(), HELD, "A claimed the new emails: {rows:?}");
        // Let A's sends reach the tarpit, then kill it without a chance to release anything.
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(a);
        assert_eq!(smtp.messages().len(), SENT_BEFORE, "nothing got through the tarpit");

        let _b = instance(&dir.path().join("b"), &app.database_url, &smtp.url());
        smtp.wait_for(SENT_BEFORE + HELD, Duration::from_secs(30)).await;
        // A second send of anything would come within B's next polls: give it time to show.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let all = smtp.messages();
        let by_id = count_by_message_id(&all);
        eprintln!(
            "kill ({backend:?}): sent/expected = {}/{}, distinct Message-IDs {}",
            all.len(),
            SENT_BEFORE + HELD,
            by_id.len()
        );
        assert_eq!(all.len(), SENT_BEFORE + HELD, "{by_id:?}");
        assert!(by_id.values().all(|&n| n == 1), "{by_id:?}");
        for n in 0..HELD {
            let to = format!("held{n}@example.com");
            assert!(all.iter().any(|m| header(m, "To").as_deref() == Some(&to)), "{to} arrived");
        }

        let rows = jobs(&app).await;
        for row in &rows {
            assert_eq!(row.state, "done", "{rows:?}");
            // A's claim counted once for a held email, B's once more; a sent one was claimed once.
            let expected = if held.contains(&row.id) { 2 } else { 1 };
            assert_eq!(row.attempts, expected, "{rows:?}");
        }
    }
}
