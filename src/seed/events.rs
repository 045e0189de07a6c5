//! Demo analytics events: 30 days of visits ending now, so the dashboard shows something on a
//! fresh demo. Product views lean on a few popular products, searches use words of the
//! catalogue's titles (their result counts as the catalogue would answer) plus some queries
//! nobody's catalogue answers, and signed-in visits start with a login. Written straight into
//! `analytics_events` in batches, not through the capture buffer.

use rand::{seq::SliceRandom, Rng};
use rand_chacha::ChaCha8Rng;
use sqlx::AnyConnection;

use super::{catalog, insert_rows, phase, DAY};
use crate::{db::Param, track::normalise_query};

/// Searches that find nothing in the demo catalogue (the dashboard's zero-result list).
const MISSES: &[&str] = &[
    "unicorn saddle",
    "flux capacitor",
    "left handed hammer",
    "invisible ink",
    "zzz",
];

/// One planned event; indexes into the plan's users and products.
#[derive(Debug)]
pub struct Event {
    kind: &'static str,
    occurred_at: i64,
    session_key: String,
    user: Option<usize>,
    ip_prefix: String,
    product: Option<usize>,
    search: Option<(String, i64)>,
}

/// `count` events over the 30 days before `now`, in visits of one to six events.
pub fn plan(
    rng: &mut ChaCha8Rng,
    catalog: &catalog::Plan,
    users: usize,
    count: usize,
    now: i64,
) -> Vec<Event> {
    let mut popular: Vec<usize> = (0..catalog.products.len())
        .filter(|&i| catalog.products[i].active)
        .collect();
    if popular.is_empty() {
        return Vec::new();
    }
    // A random order of popularity; picks lean to its front (u³ puts half of them in the top 21%).
    popular.shuffle(rng);
    let titles: Vec<String> = popular
        .iter()
        .map(|&i| catalog.products[i].title.to_lowercase())
        .collect();
    let mut events = Vec::with_capacity(count + 6);
    while events.len() < count {
        let user = (users > 0 && rng.gen_bool(0.35)).then(|| rng.gen_range(0..users));
        let mut at = now - rng.gen_range(0..30 * DAY);
        let session_key = format!("{:032x}", rng.gen::<u128>());
        let ip_prefix = format!(
            "{}.{}.{}.0",
            rng.gen_range(1..224),
            rng.gen_range(0..256),
            rng.gen_range(0..256)
        );
        let event = |kind, at, product, search| Event {
            kind,
            occurred_at: at,
            session_key: session_key.clone(),
            user,
            ip_prefix: ip_prefix.clone(),
            product,
            search,
        };
        if user.is_some() && rng.gen_bool(0.5) {
            events.push(event("login", at, None, None));
        }
        for _ in 0..rng.gen_range(1..=5) {
            at = (at + rng.gen_range(5..300) * 1_000_000).min(now);
            let pick = popular[(popular.len() as f64 * rng.gen::<f64>().powi(3)) as usize];
            let roll = rng.gen_range(0..100);
            events.push(if roll < 70 {
                event("product_view", at, Some(pick), None)
            } else if roll < 94 {
                event("search", at, None, Some(search(rng, &titles)))
            } else if user.is_some() {
                event("add_to_cart", at, Some(pick), None)
            } else {
                event("product_view", at, Some(pick), None)
            });
        }
    }
    // Visits come whole; the last one is cut so the count is the one asked for.
    events.truncate(count);
    events
}

/// A query and its result count: a word of some title (counted over every title), or a miss.
fn search(rng: &mut ChaCha8Rng, titles: &[String]) -> (String, i64) {
    if rng.gen_bool(0.12) {
        let miss = MISSES.choose(rng).copied().unwrap_or("zzz");
        return (miss.to_owned(), 0);
    }
    let title = titles.choose(rng).map(String::as_str).unwrap_or_default();
    let words: Vec<&str> = title.split_whitespace().filter(|w| w.len() > 3).collect();
    let word = words.choose(rng).copied().unwrap_or(title);
    let query = normalise_query(word);
    let found = titles.iter().filter(|t| t.contains(&query)).count();
    (query, found as i64)
}

/// Writes the events; returns how many.
pub async fn write(
    conn: &mut AnyConnection,
    events: &[Event],
    product_ids: &[i64],
    user_ids: &[i64],
) -> Result<usize, sqlx::Error> {
    let bar = phase("events", events.len() as u64);
    let rows = events
        .iter()
        .map(|e| {
            let (query, result_count) = match &e.search {
                Some((query, count)) => (Some(query.clone()), Some(*count)),
                None => (None, None),
            };
            vec![
                Param::from(e.kind),
                e.occurred_at.into(),
                e.session_key.as_str().into(),
                e.user.map(|u| user_ids[u]).into(),
                e.ip_prefix.as_str().into(),
                e.product.map(|p| product_ids[p]).into(),
                Param::NullInt,
                query.into(),
                e.search.as_ref().map(|_| "{}".to_owned()).into(),
                result_count.into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "analytics_events",
        &[
            "kind",
            "occurred_at",
            "session_key",
            "user_id",
            "ip_prefix",
            "product_id",
            "order_id",
            "query",
            "filters",
            "result_count",
        ],
        rows,
        &bar,
    )
    .await?;
    bar.finish();
    Ok(events.len())
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn thirty_days_of_views_searches_and_logins_with_some_misses() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let catalog = catalog::plan(&mut rng, 50, 0);
        let now = 400 * DAY;
        let events = plan(&mut rng, &catalog, 10, 2000, now);
        assert_eq!(events.len(), 2000);
        assert!(events
            .iter()
            .all(|e| e.occurred_at <= now && e.occurred_at > now - 31 * DAY));
        let of = |kind| events.iter().filter(|e| e.kind == kind).count();
        assert!(of("product_view") > of("search") && of("search") > 0 && of("login") > 0);
        let misses = events
            .iter()
            .filter(|e| e.search.as_ref().is_some_and(|(_, n)| *n == 0))
            .count();
        assert!(misses > 0, "some searches find nothing");
        // Views lean on the popular few: the top tenth of products gets far more than a tenth.
        let mut views = vec![0usize; catalog.products.len()];
        for e in events.iter().filter(|e| e.kind == "product_view") {
            views[e.product.unwrap()] += 1;
        }
        views.sort_unstable_by(|a, b| b.cmp(a));
        let top: usize = views[..views.len() / 10].iter().sum();
        assert!(
            top * 3 > of("product_view"),
            "top 10%: {top} of {}",
            of("product_view")
        );
    }
}
