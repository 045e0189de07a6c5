//! A cookie-keeping client for the dashboard's pages: it follows no redirect, keeps what
//! `Set-Cookie` sets (and drops what it clears), and posts forms.

use std::collections::BTreeMap;

use reqwest::{header, StatusCode};

use crate::helpers::{TestApp, PASSWORD};

/// A page as answered.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` line that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|line| line.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The CSRF token the page's (first) form carries.
    pub fn csrf_token(&self) -> String {
        let marker = r#"name="csrf_token" value=""#;
        let start = self.text.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = self.text[start..].find('"').unwrap() + start;
        self.text[start..end].to_owned()
    }
}

pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.app.client.get(format!("{}{path}", self.app.address));
        self.send(request).await
    }

    /// Posts `fields` as an HTML form does.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut encoder = reqwest::Url::parse("http://form.invalid/").unwrap();
        encoder.query_pairs_mut().extend_pairs(fields);
        let request = self
            .app
            .client
            .post(format!("{}{path}", self.app.address))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(encoder.query().unwrap_or_default().to_owned());
        self.send(request).await
    }

    /// Opens the sign-in page and signs in with `email` and `password`.
    pub async fn sign_in_with(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/dashboard/login/").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        let csrf_token = form.csrf_token();
        self.post_form(
            "/dashboard/login/",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf_token),
            ],
        )
        .await
    }

    /// Signs in with the helpers' password and checks it worked.
    pub async fn sign_in(&mut self, email: &str) {
        let answer = self.sign_in_with(email, PASSWORD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
        assert_eq!(answer.location(), "/dashboard/");
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header(header::COOKIE, cookie)
        };
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        for line in headers.get_all(header::SET_COOKIE) {
            let line = line.to_str().unwrap();
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || line.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let text = response.text().await.unwrap();
        Page {
            status,
            headers,
            text,
        }
    }
}
