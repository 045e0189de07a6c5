//! Sessions and addresses as stored: a valid `X-Session-Id` groups events, an invalid one falls
//! back to the user (then the visitor), and only truncated addresses and keyed hashes are kept.

use reqwest::Method;

use super::{events, wait_for_events, EventRow};
use crate::{
    api_test,
    helpers::{TestApp, TestUser},
};

/// A product view of `product` with `headers`, as `user` when given.
async fn view(app: &TestApp, product: i64, user: Option<&TestUser>, headers: &[(&str, &str)]) {
    let mut request = app.client.request(
        Method::GET,
        format!("{}/api/v1/products/{product}/", app.address),
    );
    if let Some(user) = user {
        request = request.bearer_auth(&user.token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    assert_eq!(request.send().await.unwrap().status(), 200);
}

fn keys(rows: &[EventRow]) -> Vec<&str> {
    rows.iter().map(|r| r.session_key.as_str()).collect()
}

api_test! {
    async fn a_valid_session_header_groups_events(app: TestApp) {
        let product = app.product().create().await;
        // One tab: the same id, whatever the browser says or whoever signs in meanwhile.
        let customer = app.create_customer().await;
        view(&app, product, None, &[("x-session-id", "tab-1_A"), ("user-agent", "One/1")]).await;
        view(&app, product, None, &[("x-session-id", "tab-1_A"), ("user-agent", "Two/2")]).await;
        view(&app, product, Some(&customer), &[("x-session-id", "tab-1_A")]).await;
        view(&app, product, None, &[("x-session-id", "tab-2"), ("user-agent", "One/1")]).await;
        let stored = wait_for_events(&app, 4).await;
        let keys = keys(&stored);
        assert_eq!(keys[0], keys[1]);
        assert_eq!(keys[0], keys[2]);
        assert_ne!(keys[0], keys[3], "another id is another session");
        for key in keys {
            assert_eq!(key.len(), 32);
            assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "a hash, not the id: {key}");
        }
    }

    async fn an_invalid_session_header_falls_back_to_the_user(app: TestApp) {
        let product = app.product().create().await;
        let customer = app.create_customer().await;
        let other = app.create_customer().await;
        let too_long = "a".repeat(65);
        view(&app, product, Some(&customer), &[]).await;
        view(&app, product, Some(&customer), &[("x-session-id", "not valid!")]).await;
        view(&app, product, Some(&customer), &[("x-session-id", &too_long)]).await;
        view(&app, product, Some(&other), &[("x-session-id", "not valid!")]).await;
        let stored = wait_for_events(&app, 4).await;
        let keys = keys(&stored);
        assert_eq!(keys[0], keys[1], "an invalid header is ignored, not an error");
        assert_eq!(keys[0], keys[2]);
        assert_ne!(keys[0], keys[3], "each user is their own session");
    }

    async fn an_anonymous_visitor_is_their_truncated_address_and_browser(app: TestApp) {
        let product = app.product().create().await;
        let firefox = [("user-agent", "Firefox/128"), ("x-forwarded-for", "203.0.113.7")];
        view(&app, product, None, &firefox).await;
        // Same /24, same browser, invalid session header: the same visitor.
        view(&app, product, None, &[
            ("user-agent", "Firefox/128"),
            ("x-forwarded-for", "203.0.113.250"),
            ("x-session-id", "bad id"),
        ]).await;
        view(&app, product, None, &[("user-agent", "Chrome/126"), ("x-forwarded-for", "203.0.113.7")]).await;
        view(&app, product, None, &[("user-agent", "Firefox/128"), ("x-forwarded-for", "198.51.100.7")]).await;
        let stored = wait_for_events(&app, 4).await;
        let keys = keys(&stored);
        assert_eq!(keys[0], keys[1]);
        assert_ne!(keys[0], keys[2], "another browser");
        assert_ne!(keys[0], keys[3], "another network");
    }

    async fn no_raw_ip_is_stored(app: TestApp) {
        let product = app.product().create().await;
        let customer = app.create_customer().await;
        // The test client connects from 127.0.0.1, a trusted proxy by default: its
        // X-Forwarded-For is believed, as it would be from nginx.
        view(&app, product, None, &[("x-forwarded-for", "203.0.113.77")]).await;
        view(&app, product, Some(&customer), &[("x-forwarded-for", "2001:db8:1:2:3:4:5:6")]).await;
        view(&app, product, None, &[("x-forwarded-for", "::ffff:198.51.100.9")]).await;
        let stored = wait_for_events(&app, 3).await;
        let prefixes: Vec<Option<&str>> = stored.iter().map(|e| e.ip_prefix.as_deref()).collect();
        assert_eq!(
            prefixes,
            [Some("203.0.113.0"), Some("2001:db8:1::"), Some("198.51.100.0")]
        );
        // No column of any row holds a full address (or the user id as a session).
        for row in events(&app).await {
            let all = format!("{row:?}");
            for raw in ["203.0.113.77", "2001:db8:1:2", "198.51.100.9", "127.0.0.1"] {
                assert!(!all.contains(raw), "{raw} stored: {all}");
            }
            assert!(!row.session_key.contains(':') && !row.session_key.contains('.'));
        }
    }
}
