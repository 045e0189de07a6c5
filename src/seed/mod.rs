//! `nexus seed --demo`: a deterministic, realistic demo catalogue (decisions in
//! docs/admin-commands.md).
//!
//! Everything is planned in memory first from one `ChaCha8Rng` seeded with `--seed`, so the
//! same seed and counts always give the same catalogue; then it is written with batched
//! multi-row INSERTs inside ONE transaction (a failed seed leaves nothing behind). Invariants the
//! rest of the code relies on hold for the seeded data too: every product's stock equals the sum
//! of its stock movements (`initial`, `order`, `order_cancelled`), and `average_rating` /
//! `reviews_count` equal its visible reviews (recomputed in one UPDATE at the end).

mod catalog;
mod events;
mod marketplace;
mod names;
mod orders;
mod reviews;
mod users;

pub(crate) use crate::{db::insert_rows, progress::phase};

use std::time::Instant;

use anyhow::{bail, Context};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::db::{now_micros, Db};

/// The password of every seeded demo user (hashed once, the hash reused for all of them).
pub const DEMO_PASSWORD: &str = "demo-password-2024";

/// Arguments of `nexus seed`.
#[derive(Debug, Clone, clap::Args)]
pub struct Seed {
    /// Load the demo catalogue (required: a guard against seeding by accident).
    #[arg(long)]
    pub demo: bool,
    /// Number of products.
    #[arg(long, default_value_t = 200)]
    pub products: usize,
    /// Number of customer accounts.
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    /// Number of reviews (at most one per user and product; capped at users × products).
    #[arg(long, default_value_t = 500)]
    pub reviews: usize,
    /// Number of past orders.
    #[arg(long, default_value_t = 100)]
    pub orders: usize,
    /// Number of analytics events (product views, searches, logins) over the last
    /// `--event-days`.
    #[arg(long, default_value_t = 3000)]
    pub events: usize,
    /// Days before now that the analytics events spread over (1–3650).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub event_days: u32,
    /// Number of marketplace providers (taken from the demo users, who keep their accounts).
    #[arg(long, default_value_t = 12)]
    pub providers: usize,
    /// Number of marketplace services.
    #[arg(long, default_value_t = 40)]
    pub services: usize,
    /// Number of marketplace requests (with their proposals, contracts and appointments).
    #[arg(long, default_value_t = 30)]
    pub requests: usize,
    /// Random seed: the same seed and counts give the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Microseconds in one day.
pub(crate) const DAY: i64 = 86_400_000_000;

/// What was written, for the summary.
#[derive(Debug, Default)]
pub struct Summary {
    pub categories: usize,
    pub brands: usize,
    pub products: usize,
    pub users: usize,
    pub reviews: usize,
    pub orders: usize,
    pub order_items: usize,
    pub stock_movements: usize,
    pub events: usize,
    pub marketplace: marketplace::Written,
}

impl Seed {
    /// Seeds a migrated database that has no products yet.
    pub async fn run(self, db: &Db) -> anyhow::Result<()> {
        if !self.demo {
            bail!("nothing to do: pass --demo to load the demo catalogue");
        }
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
            .fetch_one(&db.pool)
            .await?;
        if existing > 0 {
            bail!(
                "the database already has {existing} products; seed only loads a fresh database \
                 (drop it, or point DATABASE_URL at a new one)"
            );
        }
        let taxonomy: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM categories) + (SELECT COUNT(*) FROM brands)",
        )
        .fetch_one(&db.pool)
        .await?;
        if taxonomy > 0 {
            bail!(
                "the database already has categories or brands; seed only loads a fresh database \
                 (drop it, or point DATABASE_URL at a new one)"
            );
        }
        let started = Instant::now();
        let summary = self.write(db).await?;
        db.tidy_after_bulk_load().await?;
        println!(
            "Seeded {} categories, {} brands, {} products, {} users, {} reviews, {} orders \
             ({} items), {} stock movements, {} analytics events in {:.1}s (seed {}).",
            summary.categories,
            summary.brands,
            summary.products,
            summary.users,
            summary.reviews,
            summary.orders,
            summary.order_items,
            summary.stock_movements,
            summary.events,
            started.elapsed().as_secs_f64(),
            self.seed
        );
        let market = &summary.marketplace;
        println!(
            "Marketplace: {} providers, {} services, {} requests, {} proposals, {} contracts, \
             {} appointments.",
            market.providers,
            market.services,
            market.requests,
            market.proposals,
            market.contracts,
            market.appointments
        );
        if summary.users > 0 {
            println!("Demo users sign in with their email and the password {DEMO_PASSWORD:?}.");
        }
        Ok(())
    }

    async fn write(&self, db: &Db) -> anyhow::Result<Summary> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        // All timestamps fall in the year before now: catalogue first, then customers and orders.
        let now = now_micros();
        let start = now - 365 * DAY;

        // Plan everything first (pure, deterministic), then write.
        let catalog = catalog::plan(&mut rng, self.products, start);
        let users = users::plan(&mut rng, self.users, start);
        let orders = orders::plan(&mut rng, &catalog, users.len(), self.orders, start, now);
        let reviews = reviews::plan(&mut rng, &catalog, users.len(), self.reviews, now);
        // Last, so the plans above stay what they were before events were seeded; planned chunk
        // by chunk while they are written (millions of them would not fit in memory at once).
        let events = events::Planner::new(
            &mut rng,
            &catalog,
            users.len(),
            self.events,
            self.event_days,
            now,
        );
        // Hash once, reuse for every demo user (production cost: it is a real password).
        let hash = crate::accounts::hash_password(DEMO_PASSWORD.to_owned(), false).await?;

        let mut tx = db.begin_write().await.context("could not begin")?;
        let mut summary = Summary::default();
        let ids = catalog::write(&mut tx, &catalog, &orders, &mut summary).await?;
        let user_ids = users::write(&mut tx, &users, &hash).await?;
        summary.users = user_ids.len();
        reviews::write(&mut tx, &reviews, &ids.products, &user_ids).await?;
        summary.reviews = reviews.len();
        orders::write(&mut tx, &orders, &ids.products, &user_ids, &mut summary).await?;
        summary.events = events::write(&mut tx, events, &ids.products, &user_ids).await?;
        let counts = marketplace::Counts {
            providers: self.providers,
            services: self.services,
            requests: self.requests,
        };
        summary.marketplace =
            marketplace::write(&mut tx, db.backend, self.seed, counts, &user_ids, now).await?;
        tx.commit().await.context("could not commit")?;
        Ok(summary)
    }
}
