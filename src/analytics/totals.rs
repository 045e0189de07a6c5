//! The per-key totals behind the dashboard's top lists and active users: views and sales per
//! product, searches per query, the set of active users; read for a period's rolled part or its
//! live part (`plan`), then added up and ranked here. Summing in one statement over both parts
//! gives the same figures; reading the parts apart lets the rolled one be kept (`figures`).

use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
};

use sqlx::AnyConnection;

use super::{plan::Sources, store};

/// How many entries each top list has.
pub const TOP: usize = 10;

/// A product's revenue in cents and units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sales {
    pub revenue_cents: i64,
    pub units: i64,
}

/// How often a query was searched, and how often that found nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Searches {
    pub all: i64,
    pub zero_results: i64,
}

/// Per-key sums over some days.
#[derive(Debug, Default)]
pub struct Totals {
    pub views: HashMap<i64, i64>,
    pub sales: HashMap<i64, Sales>,
    pub searches: HashMap<String, Searches>,
    pub users: HashSet<i64>,
}

impl Totals {
    /// The totals of `events` (views, searches, users) and `orders` (sales, buyers). Active users
    /// take the event half's users and the order half's live buyers, as `active_user_ids` says.
    pub async fn read(
        conn: &mut AnyConnection,
        events: &Sources,
        orders: &Sources,
    ) -> Result<Totals, sqlx::Error> {
        let views = store::views_by_product(&mut *conn, events).await?;
        let sales = store::sales_by_product(&mut *conn, orders).await?;
        let searches = store::searches_by_query(&mut *conn, events).await?;
        let users = store::active_user_ids(&mut *conn, events, &orders.live).await?;
        Ok(Totals {
            views: views.into_iter().collect(),
            sales: sales
                .into_iter()
                .map(|row| {
                    let sales = Sales {
                        revenue_cents: row.revenue_cents,
                        units: row.units,
                    };
                    (row.product_id, sales)
                })
                .collect(),
            searches: searches
                .into_iter()
                .map(|row| {
                    let counts = Searches {
                        all: row.searches,
                        zero_results: row.zero_results,
                    };
                    (row.query, counts)
                })
                .collect(),
            users: users.into_iter().collect(),
        })
    }
}

/// Every key of `rolled` and `live`, its values added up by `add`.
fn combined<K: Clone + Eq + Hash, V: Copy>(
    rolled: &HashMap<K, V>,
    live: &HashMap<K, V>,
    add: impl Fn(V, V) -> V,
) -> Vec<(K, V)> {
    let mut all: Vec<(K, V)> = rolled
        .iter()
        .map(|(key, &value)| {
            let value = live.get(key).map_or(value, |&more| add(value, more));
            (key.clone(), value)
        })
        .collect();
    all.extend(
        live.iter()
            .filter(|(key, _)| !rolled.contains_key(*key))
            .map(|(key, &value)| (key.clone(), value)),
    );
    all
}

/// Products by views, most first, then lowest id.
pub fn ranked_views(rolled: &Totals, live: &Totals) -> Vec<(i64, i64)> {
    let mut all = combined(&rolled.views, &live.views, |a, b| a + b);
    all.sort_unstable_by(|(a_id, a), (b_id, b)| b.cmp(a).then(a_id.cmp(b_id)));
    all
}

/// Products by revenue, most first, then most units, then lowest id.
pub fn ranked_sales(rolled: &Totals, live: &Totals) -> Vec<(i64, Sales)> {
    let mut all = combined(&rolled.sales, &live.sales, |a, b| Sales {
        revenue_cents: a.revenue_cents + b.revenue_cents,
        units: a.units + b.units,
    });
    all.sort_unstable_by(|(a_id, a), (b_id, b)| {
        (b.revenue_cents, b.units)
            .cmp(&(a.revenue_cents, a.units))
            .then(a_id.cmp(b_id))
    });
    all
}

/// The [`TOP`] queries by `count` (all searches, or those that found nothing), most first, then
/// in byte order; queries never counted are left out.
pub fn top_searches(
    rolled: &Totals,
    live: &Totals,
    count: fn(&Searches) -> i64,
) -> Vec<(String, i64)> {
    let mut all: Vec<(String, i64)> = combined(&rolled.searches, &live.searches, |a, b| Searches {
        all: a.all + b.all,
        zero_results: a.zero_results + b.zero_results,
    })
    .into_iter()
    .map(|(query, searches)| (query, count(&searches)))
    .filter(|(_, n)| *n > 0)
    .collect();
    all.sort_unstable_by(|(a_query, a), (b_query, b)| b.cmp(a).then(a_query.cmp(b_query)));
    all.truncate(TOP);
    all
}

/// Distinct users in either part.
pub fn active_users(rolled: &Totals, live: &Totals) -> i64 {
    let only_live = live.users.difference(&rolled.users).count();
    i64::try_from(rolled.users.len() + only_live).unwrap_or(i64::MAX)
}

/// The first [`TOP`] of `ranked` products that still exist, with their current titles. Titles
/// are read a list's length at a time: a product deleted since leaves a gap the next fills.
pub async fn titled<T: Copy>(
    conn: &mut AnyConnection,
    ranked: &[(i64, T)],
) -> Result<Vec<(i64, String, T)>, sqlx::Error> {
    let mut top = Vec::with_capacity(TOP);
    for chunk in ranked.chunks(TOP) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let mut titles: HashMap<i64, String> = store::product_titles(&mut *conn, &ids)
            .await?
            .into_iter()
            .collect();
        for &(id, value) in chunk {
            if let Some(title) = titles.remove(&id) {
                top.push((id, title, value));
                if top.len() == TOP {
                    return Ok(top);
                }
            }
        }
    }
    Ok(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(views: &[(i64, i64)], searches: &[(&str, i64, i64)], users: &[i64]) -> Totals {
        Totals {
            views: views.iter().copied().collect(),
            sales: HashMap::new(),
            searches: searches
                .iter()
                .map(|&(query, all, zero_results)| {
                    (query.to_owned(), Searches { all, zero_results })
                })
                .collect(),
            users: users.iter().copied().collect(),
        }
    }

    #[test]
    fn views_add_both_parts_and_rank_ties_by_id() {
        let rolled = totals(&[(1, 5), (2, 3), (3, 4)], &[], &[]);
        let live = totals(&[(2, 2), (4, 9)], &[], &[]);
        assert_eq!(
            ranked_views(&rolled, &live),
            [(4, 9), (1, 5), (2, 5), (3, 4)]
        );
    }

    #[test]
    fn sales_rank_by_revenue_then_units_then_id() {
        let sale = |revenue_cents, units| Sales {
            revenue_cents,
            units,
        };
        let rolled = Totals {
            sales: HashMap::from([(1, sale(500, 1)), (2, sale(300, 3))]),
            ..Totals::default()
        };
        let live = Totals {
            sales: HashMap::from([(2, sale(200, 1)), (3, sale(500, 4))]),
            ..Totals::default()
        };
        assert_eq!(
            ranked_sales(&rolled, &live),
            [(2, sale(500, 4)), (3, sale(500, 4)), (1, sale(500, 1))]
        );
    }

    #[test]
    fn searches_add_up_leave_out_zero_counts_and_keep_ten_in_byte_order() {
        let rolled = totals(&[], &[("lamp", 3, 0), ("Desk", 2, 2), ("zzz", 1, 1)], &[]);
        let live = totals(&[], &[("desk", 2, 0), ("lamp", 1, 1)], &[]);
        assert_eq!(
            top_searches(&rolled, &live, |s| s.all),
            [
                ("lamp".to_owned(), 4),
                ("Desk".to_owned(), 2),
                ("desk".to_owned(), 2),
                ("zzz".to_owned(), 1)
            ]
        );
        assert_eq!(
            top_searches(&rolled, &live, |s| s.zero_results),
            [
                ("Desk".to_owned(), 2),
                ("lamp".to_owned(), 1),
                ("zzz".to_owned(), 1)
            ]
        );
        let many: Vec<(String, i64, i64)> = (0..15).map(|i| (format!("q{i:02}"), 1, 0)).collect();
        let many: Vec<(&str, i64, i64)> =
            many.iter().map(|(q, a, z)| (q.as_str(), *a, *z)).collect();
        let top = top_searches(&totals(&[], &many, &[]), &Totals::default(), |s| s.all);
        assert_eq!(top.len(), TOP);
        assert_eq!(top[0].0, "q00");
    }

    #[test]
    fn active_users_count_each_user_once() {
        let rolled = totals(&[], &[], &[1, 2, 3]);
        let live = totals(&[], &[], &[3, 4]);
        assert_eq!(active_users(&rolled, &live), 4);
        assert_eq!(active_users(&Totals::default(), &live), 2);
    }
}
