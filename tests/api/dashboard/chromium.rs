//! A real browser for the dashboard's tests: Debian's Chromium, headless, driven through its
//! `chromedriver` (WebDriver, with `fantoccini`) against the test's own server.
//!
//! `NEXUS_CHROMEDRIVER` names the driver (`.ci/run` installs `chromium` and `chromium-driver` and
//! sets it); without it, [`browser_test!`] tests are compiled as ignored, with the reason, like the
//! PostgreSQL ones. Each test gets its own driver process on a free port and its own profile.
//!
//! With `NEXUS_SCREENSHOTS=<dir>` set, [`Chromium::screenshot`] also writes its pictures there:
//! `NEXUS_SCREENSHOTS=$PWD/docs/images cargo test --test api chromium` refreshes the ones
//! docs/dashboard.md shows.

use std::{net::TcpListener, path::PathBuf, process::Stdio, time::Duration};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::helpers::TestApp;

/// Like `api_test!` (both engines), compiled as ignored when no Chromium driver is configured.
#[macro_export]
macro_rules! browser_test {
    ($(async fn $name:ident($app:ident: TestApp $(,)?) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::helpers::*;

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(nexus_test_browser), ignore = "NEXUS_CHROMEDRIVER is not set")]
            async fn sqlite() {
                run(TestApp::spawn(Backend::Sqlite).await.expect("SQLite always runs")).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                any(not(nexus_test_postgres), not(nexus_test_browser)),
                ignore = "TEST_DATABASE_URL or NEXUS_CHROMEDRIVER is not set"
            )]
            async fn postgres() {
                run(TestApp::spawn(Backend::Postgres).await.expect(POSTGRES_UNSET)).await
            }
        }
    )*};
}

/// A headless Chromium pointed at one test server.
pub struct Chromium {
    pub client: Client,
    base: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// The desktop and phone widths SPEC §3.9 asks the pages to work at.
pub const WIDTHS: [u32; 2] = [1280, 375];

impl Chromium {
    /// Starts a driver and a browser for `app`.
    pub async fn start(app: &TestApp) -> Chromium {
        let driver_path = std::env::var("NEXUS_CHROMEDRIVER")
            .expect("NEXUS_CHROMEDRIVER names Debian's chromedriver");
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("starting {driver_path}: {error}"));
        let profile = tempfile::tempdir().unwrap();
        // The flags keep a headless Chromium off the network it can't reach here (no update,
        // sync or background checks) and out of the sandbox CI's root user can't use.
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": std::env::var("NEXUS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,900",
                ],
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        };
        // The driver speaks plain HTTP, but fantoccini's connector is built with rustls, which
        // wants its crypto chosen once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = format!("http://127.0.0.1:{port}");
        let mut attempts = 0;
        let client = loop {
            match ClientBuilder::rustls()
                .expect("rustls connector")
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(_) if attempts < 50 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("chromedriver at {url} never answered: {error}"),
            }
        };
        Chromium {
            client,
            base: app.address.clone(),
            driver,
            _profile: profile,
        }
    }

    /// Opens `path` of the test server.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|error| panic!("opening {path}: {error}"));
    }

    /// The path of the page shown now.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        url.path().to_owned() + &url.query().map(|q| format!("?{q}")).unwrap_or_default()
    }

    /// The element `css` (or an XPath starting with `//`) selects, waiting up to 5 s for it.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(if css.starts_with("//") {
                Locator::XPath(css)
            } else {
                Locator::Css(css)
            })
            .await;
        match found {
            Ok(element) => element,
            Err(error) => {
                let source = self.client.source().await.unwrap_or_default();
                let path = self.path().await;
                panic!("no element {css} on {path}: {error}\n{source}")
            }
        }
    }

    /// Waits (up to 5 s) for the page whose `<h1>` says `heading`: after a click, the old page
    /// may still be there for a moment.
    pub async fn expect_heading(&self, heading: &str) {
        self.find(&format!("//h1[normalize-space()='{heading}']"))
            .await;
    }

    /// The text of the element `css` selects.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Types `text` into the field named `name` (after clearing it).
    pub async fn fill(&self, name: &str, text: &str) {
        let field = self.find(&format!("[name='{name}']")).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks the button (or link) whose visible text is `text`.
    pub async fn click(&self, text: &str) {
        let xpath =
            format!("//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']");
        self.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|error| panic!("nothing to click called {text:?}: {error}"))
            .click()
            .await
            .unwrap();
    }

    /// Submits the form whose `action` ends with `action` by clicking its (first) submit button.
    pub async fn submit(&self, action: &str) {
        self.find(&format!("form[action$='{action}'] button[type='submit']"))
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("submitting the form of {action}: {error}"));
    }

    /// Waits (up to 5 s) until the address starts with `prefix` (after a form's redirect), and
    /// returns it.
    pub async fn wait_for_path(&self, prefix: &str) -> String {
        for _ in 0..50 {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {prefix}: at {}", self.path().await)
    }

    /// Chooses the option whose value is `value` in the select named `name`.
    pub async fn choose_value(&self, name: &str, value: &str) {
        self.find(&format!("select[name='{name}']"))
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("choosing {value:?} in {name}: {error}"));
    }

    /// Chooses the option labelled `label` in the select named `name`.
    pub async fn choose(&self, name: &str, label: &str) {
        self.find(&format!("select[name='{name}']"))
            .await
            .select_by_label(label)
            .await
            .unwrap_or_else(|error| panic!("choosing {label:?} in {name}: {error}"));
    }

    /// Signs in through the form, as a person would.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.open("/dashboard/login/").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click("Sign in").await;
    }

    /// Takes a picture of the page at each of [`WIDTHS`] (as tall as the page) and, when
    /// `NEXUS_SCREENSHOTS` is set, writes `dashboard-<name>-<width>.png` there.
    pub async fn screenshot(&self, name: &str) {
        for width in WIDTHS {
            self.client.set_window_size(width, 900).await.unwrap();
            let height = self
                .client
                .execute("return document.documentElement.scrollHeight", vec![])
                .await
                .unwrap()
                .as_u64()
                .unwrap_or(900)
                .clamp(600, 4000);
            self.client
                .set_window_size(width, height as u32)
                .await
                .unwrap();
            let png = self.client.screenshot().await.unwrap();
            assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
            if let Some(dir) = std::env::var_os("NEXUS_SCREENSHOTS") {
                let path = PathBuf::from(dir).join(format!("dashboard-{name}-{width}.png"));
                std::fs::write(&path, png).unwrap();
            }
        }
        self.client.set_window_size(1280, 900).await.unwrap();
    }

    /// Closes the browser and its driver.
    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
