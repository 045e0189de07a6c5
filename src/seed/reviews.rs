//! Reviews: at most one per user and product, ratings skewed positive, a few hidden by
//! moderation; product ratings are recomputed from them in one UPDATE.

use std::collections::HashSet;

use rand::{seq::SliceRandom, Rng};
use rand_chacha::ChaCha8Rng;
use sqlx::AnyConnection;

use super::{catalog, insert_rows, names, phase, DAY};
use crate::db::Param;

#[derive(Debug)]
pub struct Review {
    pub user: usize,
    pub product: usize,
    pub rating: i64,
    pub comment: String,
    pub hidden: bool,
    pub created_at: i64,
}

/// Weights of ratings 1..=5.
const RATING_WEIGHTS: [u32; 5] = [5, 7, 13, 30, 45];

pub fn plan(
    rng: &mut ChaCha8Rng,
    catalog: &catalog::Plan,
    users: usize,
    reviews: usize,
    now: i64,
) -> Vec<Review> {
    let products = catalog.products.len();
    let wanted = reviews.min(users.saturating_mul(products));
    let mut taken = HashSet::with_capacity(wanted);
    let mut out = Vec::with_capacity(wanted);
    let total: u32 = RATING_WEIGHTS.iter().sum();
    // Random pairs until enough are unique; when the matrix is nearly full, sweep it instead.
    let mut attempts = 0usize;
    let mut sweep = 0usize;
    while out.len() < wanted {
        attempts += 1;
        let (user, product) = if attempts <= wanted.saturating_mul(4) {
            (rng.gen_range(0..users), rng.gen_range(0..products))
        } else if sweep < users * products {
            sweep += 1;
            ((sweep - 1) / products, (sweep - 1) % products)
        } else {
            break;
        };
        if !taken.insert((user, product)) {
            continue;
        }
        let mut pick = rng.gen_range(0..total);
        let mut rating = 1;
        for (i, w) in RATING_WEIGHTS.iter().enumerate() {
            if pick < *w {
                rating = i as i64 + 1;
                break;
            }
            pick -= w;
        }
        let created_after = catalog.products[product].created_at;
        out.push(Review {
            user,
            product,
            rating,
            comment: names::COMMENTS[rating as usize - 1]
                .choose(rng)
                .copied()
                .unwrap_or_default()
                .to_owned(),
            hidden: rng.gen_bool(0.02),
            created_at: created_after + rng.gen_range(0..(now - created_after - DAY).max(1)),
        });
    }
    out
}

pub async fn write(
    conn: &mut AnyConnection,
    reviews: &[Review],
    products: &[i64],
    users: &[i64],
) -> anyhow::Result<()> {
    let bar = phase("reviews", reviews.len() as u64);
    let rows = reviews
        .iter()
        .map(|r| {
            vec![
                Param::Int(users[r.user]),
                Param::Int(products[r.product]),
                Param::Int(r.rating),
                Param::Text(r.comment.clone()),
                Param::Bool(r.hidden),
                Param::Int(r.created_at),
                Param::Int(r.created_at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "reviews",
        &[
            "user_id",
            "product_id",
            "rating",
            "comment",
            "is_hidden",
            "created_at",
            "updated_at",
        ],
        rows,
        &bar,
    )
    .await?;
    crate::reviews::recount_all_ratings(conn).await?;
    bar.finish();
    Ok(())
}
