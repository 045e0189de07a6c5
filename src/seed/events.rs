//! Demo analytics events: 30 days of visits ending now, so the dashboard shows something on a
//! fresh demo. Product views lean on a few popular products, searches use words of the
//! catalogue's titles (their result counts as the catalogue would answer) plus some queries
//! nobody's catalogue answers, and signed-in visits start with a login. Written straight into
//! `analytics_events` in batches, not through the capture buffer.

use std::collections::HashMap;

use indicatif::ProgressBar;
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
#[derive(Debug, PartialEq, Eq)]
pub struct Event {
    kind: &'static str,
    occurred_at: i64,
    session_key: String,
    user: Option<usize>,
    ip_prefix: String,
    product: Option<usize>,
    search: Option<(String, i64)>,
}

/// Plans `count` events over the `days` days before `now`, in visits of one to six events,
/// handing them out in chunks so millions of them never sit in memory at once. The visits come
/// from `rng` in the same order whatever the chunk size, so a seed gives the same events however
/// they are written.
#[derive(Debug)]
pub struct Planner<'a> {
    rng: &'a mut ChaCha8Rng,
    /// Active products, most popular first.
    popular: Vec<usize>,
    /// Their titles, lower-cased (what searches draw their words from).
    titles: Vec<String>,
    /// Result counts of the queries drawn so far (counting one is a scan of every title).
    found: HashMap<String, i64>,
    users: usize,
    left: usize,
    span: i64,
    now: i64,
}

impl<'a> Planner<'a> {
    /// A planner for `count` events over the `days` days before `now`; none when the catalogue
    /// has no active product to view.
    pub fn new(
        rng: &'a mut ChaCha8Rng,
        catalog: &catalog::Plan,
        users: usize,
        count: usize,
        days: u32,
        now: i64,
    ) -> Planner<'a> {
        let mut popular: Vec<usize> = (0..catalog.products.len())
            .filter(|&i| catalog.products[i].active)
            .collect();
        // A random order of popularity; picks lean to its front (u³ puts half of them in the
        // top 21%).
        if !popular.is_empty() {
            popular.shuffle(rng);
        }
        let titles = popular
            .iter()
            .map(|&i| catalog.products[i].title.to_lowercase())
            .collect();
        let left = if popular.is_empty() { 0 } else { count };
        Planner {
            rng,
            popular,
            titles,
            found: HashMap::new(),
            users,
            left,
            span: i64::from(days) * DAY,
            now,
        }
    }

    /// How many events are still to come.
    pub fn left(&self) -> usize {
        self.left
    }

    /// The next `size` events or so (whole visits, so up to five more), fewer at the end; empty
    /// once every event was handed out.
    pub fn next_chunk(&mut self, size: usize) -> Vec<Event> {
        let want = size.max(1).min(self.left);
        let mut events = Vec::with_capacity(want + 6);
        while events.len() < want {
            self.visit(&mut events);
        }
        // Visits come whole; the last one is cut so the count is the one asked for.
        events.truncate(self.left);
        self.left -= events.len();
        events
    }

    /// One visit: a login at the start of half the signed-in ones, then one to five views,
    /// searches and cart adds a few seconds to minutes apart.
    fn visit(&mut self, events: &mut Vec<Event>) {
        let (rng, now) = (&mut *self.rng, self.now);
        let user = (self.users > 0 && rng.gen_bool(0.35)).then(|| rng.gen_range(0..self.users));
        let mut at = now - rng.gen_range(0..self.span);
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
            let popular = &self.popular;
            let pick = popular[(popular.len() as f64 * rng.gen::<f64>().powi(3)) as usize];
            let roll = rng.gen_range(0..100);
            events.push(if roll < 70 {
                event("product_view", at, Some(pick), None)
            } else if roll < 94 {
                event(
                    "search",
                    at,
                    None,
                    Some(search(rng, &self.titles, &mut self.found)),
                )
            } else if user.is_some() {
                event("add_to_cart", at, Some(pick), None)
            } else {
                event("product_view", at, Some(pick), None)
            });
        }
    }
}

/// A query and its result count: a word of some title (counted over every title, once per
/// query: `found` remembers the counts), or a miss.
fn search(
    rng: &mut ChaCha8Rng,
    titles: &[String],
    found: &mut HashMap<String, i64>,
) -> (String, i64) {
    if rng.gen_bool(0.12) {
        let miss = MISSES.choose(rng).copied().unwrap_or("zzz");
        return (miss.to_owned(), 0);
    }
    let title = titles.choose(rng).map(String::as_str).unwrap_or_default();
    let words: Vec<&str> = title.split_whitespace().filter(|w| w.len() > 3).collect();
    let word = words.choose(rng).copied().unwrap_or(title);
    let query = normalise_query(word);
    let count = *found
        .entry(query.clone())
        .or_insert_with_key(|query| titles.iter().filter(|t| t.contains(query)).count() as i64);
    (query, count)
}

/// Events planned and written per chunk: a few megabytes in memory at a time.
const CHUNK: usize = 50_000;

/// Plans and writes every event of `planner`, a chunk at a time; returns how many.
pub async fn write(
    conn: &mut AnyConnection,
    mut planner: Planner<'_>,
    product_ids: &[i64],
    user_ids: &[i64],
) -> Result<usize, sqlx::Error> {
    let bar = phase("events", planner.left() as u64);
    let mut written = 0;
    loop {
        let events = planner.next_chunk(CHUNK);
        if events.is_empty() {
            break;
        }
        write_chunk(conn, &events, product_ids, user_ids, &bar).await?;
        written += events.len();
    }
    bar.finish();
    Ok(written)
}

/// Writes one chunk of events.
async fn write_chunk(
    conn: &mut AnyConnection,
    events: &[Event],
    product_ids: &[i64],
    user_ids: &[i64],
    bar: &ProgressBar,
) -> Result<(), sqlx::Error> {
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
        bar,
    )
    .await
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    /// Every event of `count` over `days` days before `now`, planned `chunk` at a time from seed 7.
    fn planned(count: usize, days: u32, now: i64, chunk: usize) -> (catalog::Plan, Vec<Event>) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let catalog = catalog::plan(&mut rng, 50, 0);
        let mut planner = Planner::new(&mut rng, &catalog, 10, count, days, now);
        let mut events = Vec::new();
        loop {
            let chunk = planner.next_chunk(chunk);
            if chunk.is_empty() {
                break;
            }
            events.extend(chunk);
        }
        (catalog, events)
    }

    #[test]
    fn thirty_days_of_views_searches_and_logins_with_some_misses() {
        let now = 400 * DAY;
        let (catalog, events) = planned(2000, 30, now, CHUNK);
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

    #[test]
    fn chunks_cut_no_visit_and_change_no_event() {
        let now = 400 * DAY;
        let (_, whole) = planned(2003, 30, now, CHUNK);
        for chunk in [1, 7, 500] {
            let (_, chunked) = planned(2003, 30, now, chunk);
            assert_eq!(chunked, whole, "chunks of {chunk}");
        }
    }

    #[test]
    fn events_spread_over_the_days_asked_for() {
        let now = 400 * DAY;
        let (_, events) = planned(3000, 365, now, 100);
        assert_eq!(events.len(), 3000);
        assert!(events
            .iter()
            .all(|e| e.occurred_at <= now && e.occurred_at > now - 366 * DAY));
        let old = events
            .iter()
            .filter(|e| e.occurred_at < now - 300 * DAY)
            .count();
        assert!(old > 300, "{old} events in the oldest 65 days");
    }
}
