//! The standard dataset: a fresh database, `nexus seed --demo`, a restocked set of products for
//! checkout, the ids/slugs/words/users the scenarios pick from, and the books check.

use std::{collections::BTreeSet, fmt, path::Path, process::Command, sync::OnceLock};

use anyhow::{bail, Context};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::{AnyPool, Row};

use crate::longtail;

/// Password of every seeded demo user (`nexus::seed::DEMO_PASSWORD`, README "Demo data").
pub const DEMO_PASSWORD: &str = "demo-password-2024";
/// Units added to each restocked product, so checkout never runs dry within a run.
const RESTOCK_UNITS: i64 = 100_000;
/// How many products checkout buys from.
const RESTOCKED_PRODUCTS: usize = 1_000;
/// How many distinct product-list URLs the list scenario cycles through.
const LIST_URLS: usize = 300;
const PAGE_SIZE: i64 = 20;

/// Counts passed to `nexus seed --demo` (60 categories and 50 brands are fixed by the seed).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatasetSize {
    pub products: usize,
    pub users: usize,
    pub reviews: usize,
    pub orders: usize,
    /// Analytics events, over the last `event_days` days.
    pub events: usize,
    pub event_days: u32,
}

impl fmt::Display for DatasetSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} products, {} users, {} reviews, {} orders, {} events over {} days",
            self.products, self.users, self.reviews, self.orders, self.events, self.event_days
        )
    }
}

pub(crate) async fn connect(database_url: &str) -> anyhow::Result<AnyPool> {
    static DRIVERS: OnceLock<()> = OnceLock::new();
    DRIVERS.get_or_init(sqlx::any::install_default_drivers);
    sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(database_url)
        .await
        .with_context(|| format!("connecting to {database_url}"))
}

/// Deletes the run's SQLite file (and its WAL) so the server creates a fresh one.
pub fn fresh_sqlite(work_dir: &Path) -> anyhow::Result<String> {
    let path = work_dir.join("nexus-bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        if Path::new(&file).exists() {
            std::fs::remove_file(&file).with_context(|| format!("removing {file}"))?;
        }
    }
    Ok(format!("sqlite://{}", path.display()))
}

/// Drops and re-creates `database` on the PostgreSQL server at `server_url`.
pub async fn fresh_postgres(server_url: &str, database: &str) -> anyhow::Result<String> {
    if database.is_empty()
        || !database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        bail!("--database must be letters, digits and _ only, not {database:?}");
    }
    let server_url = server_url.trim_end_matches('/');
    let admin = connect(&format!("{server_url}/postgres")).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(format!("{server_url}/{database}"))
}

/// `nexus seed --demo` with the standard counts and seed 42.
pub fn seed(nexus: &Path, database_url: &str, size: &DatasetSize) -> anyhow::Result<()> {
    let status = Command::new(nexus)
        .args(["seed", "--demo", "--seed", "42"])
        .args(["--products", &size.products.to_string()])
        .args(["--users", &size.users.to_string()])
        .args(["--reviews", &size.reviews.to_string()])
        .args(["--orders", &size.orders.to_string()])
        .args(["--events", &size.events.to_string()])
        .args(["--event-days", &size.event_days.to_string()])
        .env("DATABASE_URL", database_url)
        .env("LOG_LEVEL", "warn")
        .status()
        .context("running nexus seed")?;
    if !status.success() {
        bail!("nexus seed --demo failed ({status})");
    }
    Ok(())
}

/// Adds stock to every k-th active product, each with a recorded movement (stock stays equal to
/// the sum of movements); returns their ids. Done before the server starts, so no cache holds
/// the old stock.
pub async fn restock(database_url: &str) -> anyhow::Result<Vec<i64>> {
    let pool = connect(database_url).await?;
    let active: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM products WHERE is_active = TRUE ORDER BY id")
            .fetch_all(&pool)
            .await?;
    let step = (active.len() / RESTOCKED_PRODUCTS).max(1);
    let chosen: Vec<i64> = active
        .into_iter()
        .step_by(step)
        .take(RESTOCKED_PRODUCTS)
        .collect();
    let now = chrono::Utc::now().timestamp_micros();
    let mut tx = pool.begin().await?;
    for &id in &chosen {
        sqlx::query("UPDATE products SET stock_quantity = stock_quantity + $1 WHERE id = $2")
            .bind(RESTOCK_UNITS)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO stock_movements (product_id, delta, reason, created_at) \
             VALUES ($1, $2, 'bench_restock', $3)",
        )
        .bind(id)
        .bind(RESTOCK_UNITS)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(chosen)
}

/// Everything the scenarios pick from, read once before the first scenario.
#[derive(Debug, Default)]
pub struct Workload {
    /// Product-list paths with filters and orderings, each page known to exist.
    pub list_paths: Vec<String>,
    /// Active products: `(id, slug)`.
    pub products: Vec<(i64, String)>,
    /// Words from product titles, for `search=`.
    pub words: Vec<String>,
    /// Emails of seeded customers, one per simulated buyer (reused when there are fewer).
    pub buyers: Vec<String>,
    /// Products with enough stock for checkout.
    pub restocked: Vec<i64>,
    /// Ids of the seeded orders (`dashboard`'s order page).
    pub orders: Vec<i64>,
    /// Categories, brands and title words: what `longtail`'s URLs are built from.
    pub catalogue: longtail::Catalogue,
}

impl Workload {
    /// Reads ids, slugs, words and buyers from the database and builds the list URLs (asking the
    /// server for each one's page count, so no URL points past the last page); with `longtail`,
    /// that scenario's URLs too (counting their filter sets on the server the same way).
    pub async fn load(
        database_url: &str,
        base_url: &str,
        buyers: usize,
        restocked: Vec<i64>,
    ) -> anyhow::Result<Workload> {
        let pool = connect(database_url).await?;
        let products: Vec<(i64, String)> =
            sqlx::query("SELECT id, slug FROM products WHERE is_active = TRUE ORDER BY id")
                .fetch_all(&pool)
                .await?
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
        let titles: Vec<String> =
            sqlx::query_scalar("SELECT title FROM products ORDER BY id LIMIT 2000")
                .fetch_all(&pool)
                .await?;
        let words: BTreeSet<String> = titles
            .iter()
            .flat_map(|title| title.split_whitespace())
            .filter(|word| word.len() >= 4 && word.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_lowercase)
            .collect();
        let categories: Vec<(i64, String)> =
            sqlx::query("SELECT id, slug FROM categories ORDER BY id")
                .fetch_all(&pool)
                .await?
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
        let brands: Vec<String> = sqlx::query_scalar("SELECT slug FROM brands ORDER BY id")
            .fetch_all(&pool)
            .await?;
        let emails: Vec<String> = sqlx::query_scalar(
            "SELECT email FROM users WHERE username LIKE 'demo.%' AND is_active = TRUE \
             ORDER BY id LIMIT $1",
        )
        .bind(buyers as i64)
        .fetch_all(&pool)
        .await?;
        let orders: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders ORDER BY id")
            .fetch_all(&pool)
            .await?;
        pool.close().await;
        if products.is_empty() || words.is_empty() || emails.is_empty() || categories.is_empty() {
            bail!("the seeded database has no products, categories or demo users");
        }
        let list_paths = list_paths(base_url, &categories, &brands).await?;
        let words: Vec<String> = words.into_iter().collect();
        let catalogue = longtail::Catalogue {
            categories,
            brands,
            words: words.clone(),
        };
        Ok(Workload {
            list_paths,
            products,
            words,
            buyers: emails,
            restocked,
            orders,
            catalogue,
        })
    }
}

/// A deterministic mix of product-list queries: category (by id or slug, which includes
/// descendants), brand, price band, `in_stock`, ordering; pages 1–5 where they exist.
async fn list_paths(
    base_url: &str,
    categories: &[(i64, String)],
    brands: &[String],
) -> anyhow::Result<Vec<String>> {
    const ORDERINGS: [&str; 7] = [
        "-created_at",
        "price",
        "-price",
        "title",
        "-average_rating",
        "created_at,title",
        "-stock_quantity",
    ];
    const PRICE_BANDS: [(u32, u32); 5] = [(0, 25), (10, 100), (25, 250), (100, 1000), (500, 2000)];
    let client = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(7);
    let mut paths = Vec::with_capacity(LIST_URLS);
    while paths.len() < LIST_URLS {
        let mut query = vec![format!("page_size={PAGE_SIZE}")];
        if rng.random_bool(0.6) {
            let (id, slug) = &categories[rng.random_range(0..categories.len())];
            query.push(if rng.random_bool(0.5) {
                format!("category={id}")
            } else {
                format!("category={slug}")
            });
        }
        if rng.random_bool(0.1) && !brands.is_empty() {
            query.push(format!(
                "brand={}",
                brands[rng.random_range(0..brands.len())]
            ));
        }
        if rng.random_bool(0.4) {
            let (min, max) = PRICE_BANDS[rng.random_range(0..PRICE_BANDS.len())];
            query.push(format!("price_min={min}&price_max={max}"));
        }
        if rng.random_bool(0.5) {
            query.push("in_stock=true".to_owned());
        }
        if rng.random_bool(0.8) {
            query.push(format!(
                "ordering={}",
                ORDERINGS[rng.random_range(0..ORDERINGS.len())]
            ));
        }
        let path = format!("/api/v1/products/?{}", query.join("&"));
        let count = client
            .get(format!("{base_url}{path}"))
            .send()
            .await?
            .error_for_status()?
            .json::<serde_json::Value>()
            .await?["count"]
            .as_i64()
            .unwrap_or(0);
        let pages = (count + PAGE_SIZE - 1) / PAGE_SIZE;
        if pages == 0 {
            continue;
        }
        let page = rng.random_range(1..=5).min(pages);
        paths.push(format!("{path}&page={page}"));
    }
    Ok(paths)
}

/// The inventory invariants after orders were placed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Books {
    pub products: i64,
    /// Products whose `stock_quantity` differs from the sum of their stock movements.
    pub stock_mismatches: i64,
    pub negative_stock: i64,
    /// Units on order lines (all orders).
    pub units_sold: i64,
    /// Units taken by `order` movements (negated).
    pub units_taken: i64,
    /// Units on lines of cancelled or failed orders.
    pub units_in_returned_orders: i64,
    /// Units given back by `order_cancelled`, `order_failed` and `payment_declined` movements.
    pub units_returned: i64,
    pub orders: i64,
}

impl Books {
    /// What does not balance, one line each (empty when the books balance).
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.stock_mismatches != 0 {
            failures.push(format!(
                "{} product(s) whose stock differs from the sum of their movements",
                self.stock_mismatches
            ));
        }
        if self.negative_stock != 0 {
            failures.push(format!(
                "{} product(s) with negative stock",
                self.negative_stock
            ));
        }
        if self.units_sold != self.units_taken {
            failures.push(format!(
                "order lines hold {} units but order movements took {}",
                self.units_sold, self.units_taken
            ));
        }
        if self.units_in_returned_orders != self.units_returned {
            failures.push(format!(
                "cancelled/failed orders hold {} units but {} were returned",
                self.units_in_returned_orders, self.units_returned
            ));
        }
        failures
    }
}

impl fmt::Display for Books {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} orders; stock = Σ movements for {} of {} products; {} negative; \
             units sold {} / taken {}; returned {} / in cancelled+failed orders {}",
            self.orders,
            self.products - self.stock_mismatches,
            self.products,
            self.negative_stock,
            self.units_sold,
            self.units_taken,
            self.units_returned,
            self.units_in_returned_orders,
        )
    }
}

/// Reads the inventory invariants with SQL.
pub async fn check_books(database_url: &str) -> anyhow::Result<Books> {
    let pool = connect(database_url).await?;
    let scalar = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await }
    };
    let books = Books {
        products: scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM products").await?,
        stock_mismatches: scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM products p \
             LEFT JOIN (SELECT product_id, SUM(delta) AS total FROM stock_movements \
                        GROUP BY product_id) m ON m.product_id = p.id \
             WHERE p.stock_quantity <> COALESCE(m.total, 0)",
        )
        .await?,
        negative_stock: scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE stock_quantity < 0",
        )
        .await?,
        units_sold: scalar("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items")
            .await?,
        units_taken: scalar(
            "SELECT CAST(COALESCE(-SUM(delta), 0) AS BIGINT) FROM stock_movements \
             WHERE reason = 'order'",
        )
        .await?,
        units_in_returned_orders: scalar(
            "SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM order_items i \
             JOIN orders o ON o.id = i.order_id WHERE o.status IN ('cancelled', 'failed')",
        )
        .await?,
        units_returned: scalar(
            "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM stock_movements \
             WHERE reason IN ('order_cancelled', 'order_failed', 'payment_declined')",
        )
        .await?,
        orders: scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM orders").await?,
    };
    pool.close().await;
    Ok(books)
}
