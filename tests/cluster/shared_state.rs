//! What the instances share: the catalog cache (Redis, versioned keys) and rate limits.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use crate::support::{call, client, header, Cluster};

pub async fn a_price_edit_through_one_instance_is_visible_at_once_through_the_other_and_nginx(
    cluster: &Cluster,
) {
    let token = cluster.staff_token().await;
    let id = cluster.create_product(&token, "Cluster Lamp", 5).await;
    let reader = client(12);
    let detail = |base: String| format!("{base}/api/v1/products/{id}/");
    // Warm the shared cache: B's second read is a hit, and nginx's reads come from it too.
    for base in [
        cluster.instance("B"),
        cluster.instance("B"),
        cluster.nginx(),
        cluster.nginx(),
    ] {
        let answer = call(&reader, Method::GET, &detail(base), None, None).await;
        assert_eq!(answer.body["price"], "10.00");
    }
    let answer = call(
        &reader,
        Method::GET,
        &detail(cluster.instance("B")),
        None,
        None,
    )
    .await;
    assert_eq!(header(&answer, "x-cache"), "HIT");

    let edit = call(
        &client(20),
        Method::PATCH,
        &detail(cluster.instance("A")),
        Some(&token),
        Some(&json!({"price": "12.50"})),
    )
    .await;
    assert_eq!(edit.status, 200, "{}", edit.body);

    let answer = call(
        &reader,
        Method::GET,
        &detail(cluster.instance("B")),
        None,
        None,
    )
    .await;
    assert_eq!(
        answer.body["price"], "12.50",
        "instance B still serves the old price"
    );
    let mut upstreams = BTreeSet::new();
    for _ in 0..2 {
        let answer = call(&reader, Method::GET, &detail(cluster.nginx()), None, None).await;
        assert_eq!(
            answer.body["price"],
            "12.50",
            "nginx served the old price from {}",
            header(&answer, "x-upstream")
        );
        upstreams.insert(header(&answer, "x-upstream").to_owned());
    }
    assert_eq!(upstreams.len(), 2, "both instances answered through nginx");
}

pub async fn the_login_rate_limit_is_shared_by_both_instances(cluster: &Cluster) {
    // SPEC 3.8: 5 logins per 5 minutes per IP. Alternating instances, a per-instance limit would
    // let 10 through; the shared one refuses the 6th.
    let direct = client(30);
    let statuses = failed_logins(8, |attempt| {
        let instance = cluster.instance(if attempt % 2 == 0 { "A" } else { "B" });
        (
            direct.clone(),
            format!("{instance}/api/v1/auth/jwt/create/"),
        )
    })
    .await;
    assert_eq!(
        statuses.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [401, 401, 401, 401, 401, 429, 429, 429]
    );

    // The same through nginx, from another client address: nginx spreads the attempts over both
    // instances and passes the client's address in X-Forwarded-For, which they believe.
    let through_nginx = client(31);
    let statuses = failed_logins(8, |_| {
        (
            through_nginx.clone(),
            format!("{}/api/v1/auth/jwt/create/", cluster.nginx()),
        )
    })
    .await;
    assert_eq!(
        statuses.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [401, 401, 401, 401, 401, 429, 429, 429]
    );
    let refused_by: BTreeSet<&str> = statuses[..5]
        .iter()
        .map(|(_, upstream)| upstream.as_str())
        .collect();
    assert_eq!(
        refused_by.len(),
        2,
        "the five allowed attempts reached both instances: {statuses:?}"
    );
}

/// `attempts` failed logins, each sent with the client and URL `target` gives for its number;
/// the status of each and the instance that answered it (nginx's `X-Upstream`, when present).
async fn failed_logins(
    attempts: usize,
    target: impl Fn(usize) -> (reqwest::Client, String),
) -> Vec<(u16, String)> {
    let mut statuses = Vec::new();
    for attempt in 0..attempts {
        let (http, url) = target(attempt);
        let body = json!({"email": format!("nobody{attempt}@cluster.test"), "password": "wrong-password-1"});
        let answer = call(&http, Method::POST, &url, None, Some(&body)).await;
        if answer.status == 429 {
            assert!(header(&answer, "retry-after").parse::<u64>().unwrap() >= 1);
            assert_eq!(answer.body["code"], "throttled");
        }
        statuses.push((
            answer.status.as_u16(),
            header(&answer, "x-upstream").to_owned(),
        ));
    }
    statuses
}
