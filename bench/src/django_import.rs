//! The `django-import` scenario: builds a Django shop database of the size (100,000
//! users, 10,000 products, 200,000 orders by default) from the schema the importer's tests use,
//! then times `nexus import-django` into a fresh Nexus database. No server, no goose: the figure
//! is the command's wall time (docs/migrating-from-django.md).
//!
//! The Django rows are generated in SQL (`WITH RECURSIVE` counts on both engines), so building a
//! million rows takes seconds; only timestamps need each engine's own expression.

use std::{path::Path, process::Command, time::Instant};

use anyhow::{bail, Context};
use sqlx::{AnyPool, Executor};

use crate::{dataset, Backend};

/// Sizes of the generated Django database.
#[derive(Debug, Clone, Copy)]
pub struct DjangoSize {
    pub users: usize,
    pub products: usize,
    pub orders: usize,
}

/// A Django `pbkdf2_sha256` hash (Django's own format; the password doesn't matter here).
const PASSWORD: &str =
    "pbkdf2_sha256$600000$benchsalt0123456789ab$Xw9FfGQ2nYQ3m3mD1E9X7wq3c0aXk8Wb2o8S5i0j7cE=";

/// What one run measured.
#[derive(Debug)]
pub struct Measured {
    pub rows_read: usize,
    pub seconds: f64,
}

/// Builds the Django source on `source`, a fresh Nexus database on `target`, migrates it, and
/// times the import.
pub async fn run(
    nexus: &Path,
    work_dir: &Path,
    postgres_url: &str,
    source: Backend,
    target: Backend,
    size: DjangoSize,
) -> anyhow::Result<Measured> {
    let source_url = match source {
        Backend::Sqlite => {
            let path = work_dir.join("django.sqlite3");
            if path.exists() {
                std::fs::remove_file(&path)?;
            }
            std::fs::File::create(&path)?;
            format!("sqlite://{}", path.display())
        }
        Backend::Postgres => dataset::fresh_postgres(postgres_url, "nexus_bench_django").await?,
    };
    let building = Instant::now();
    let rows_read = build_source(&source_url, source, size).await?;
    println!(
        "built a Django database of {rows_read} rows on {} in {:.1}s",
        source.name(),
        building.elapsed().as_secs_f64()
    );
    let target_url = match target {
        Backend::Sqlite => dataset::fresh_sqlite(work_dir)?,
        Backend::Postgres => dataset::fresh_postgres(postgres_url, "nexus_bench").await?,
    };
    nexus_command(nexus, &target_url, &["migrate"])?;
    let importing = Instant::now();
    let output = nexus_command(
        nexus,
        &target_url,
        &["import-django", "--from", &source_url],
    )?;
    let seconds = importing.elapsed().as_secs_f64();
    println!("{output}");
    Ok(Measured { rows_read, seconds })
}

/// Runs `nexus <args>` against `database_url`; its standard output, or an error with both streams.
fn nexus_command(nexus: &Path, database_url: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(nexus)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LOG_LEVEL", "warn")
        .output()
        .with_context(|| format!("running nexus {}", args.join(" ")))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "nexus {} failed ({}):\n{stdout}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

/// A timestamp `minutes` (an SQL integer expression) after 2023-01-01 UTC, in each engine's way.
fn at(backend: Backend, minutes: &str) -> String {
    match backend {
        Backend::Postgres => {
            format!("(TIMESTAMPTZ '2023-01-01 00:00:00+00' + ({minutes}) * INTERVAL '1 minute')")
        }
        Backend::Sqlite => {
            format!("datetime('2023-01-01 00:00:00', '+' || ({minutes}) || ' minutes')")
        }
    }
}

/// Creates the Django tables and fills them; returns how many rows they hold.
async fn build_source(url: &str, backend: Backend, size: DjangoSize) -> anyhow::Result<usize> {
    let pool = dataset::connect(url).await?;
    let schema = match backend {
        Backend::Postgres => {
            include_str!("../../tests/api/import_django/django_schema.postgres.sql")
        }
        Backend::Sqlite => include_str!("../../tests/api/import_django/django_schema.sqlite.sql"),
    };
    pool.execute(schema)
        .await
        .context("creating the Django tables")?;
    let DjangoSize {
        users,
        products,
        orders,
    } = size;
    let (addresses, carts, reviews, categories) = (users / 2, users / 5, users, 50);
    let fills = [
        // 1 % staff, one superuser; emails and usernames from the id.
        (
            users,
            format!(
                "INSERT INTO users_user (id, password, last_login, is_superuser, username, first_name, \
                 last_name, email, is_staff, is_active, date_joined) \
                 SELECT i, '{PASSWORD}', {}, i = 1, 'user' || i, 'First' || i, 'Last' || i, \
                 'user' || i || '@bench.example', i % 100 = 0, i % 50 <> 0, {} FROM n",
                at(backend, "i + 1000"),
                at(backend, "i")
            ),
        ),
        (
            addresses,
            "INSERT INTO users_address (id, first_name, last_name, address_line_1, address_line_2, \
             city, postal_code, country, phone_number, is_default, user_id) \
             SELECT i, 'First', 'Last', i || ' Main Street', '', 'Springfield', '12345', 'US', '', \
             TRUE, i * 2 FROM n"
                .to_owned(),
        ),
        (
            categories,
            format!(
                "INSERT INTO catalog_category (id, name, slug, description, created_at) \
                 SELECT i, 'Category ' || i, 'category-' || i, 'Things of kind ' || i, {} FROM n",
                at(backend, "i")
            ),
        ),
        (
            products,
            format!(
                "INSERT INTO catalog_product (id, title, description, price, slug, is_active, \
                 created_at, updated_at, category_id, image, stock_quantity) \
                 SELECT i, 'Product ' || i, 'A fine product number ' || i, (i % 500) + 0.99, \
                 'product-' || i, i % 40 <> 0, {0}, {0}, i % {categories} + 1, \
                 'products/p' || i || '.jpg', i % 200 FROM n",
                at(backend, "i")
            ),
        ),
        (
            carts,
            format!(
                "INSERT INTO cart_cart (id, created_at, user_id) SELECT i, {}, i * 5 FROM n",
                at(backend, "i + 500000")
            ),
        ),
        (
            carts * 2,
            format!(
                "INSERT INTO cart_cartitem (id, quantity, cart_id, product_id) \
                 SELECT i, i % 3 + 1, (i + 1) / 2, i % {products} + 1 FROM n"
            ),
        ),
        (
            orders,
            format!(
                "INSERT INTO orders_order (id, status, payment_status, total_amount, created_at, \
                 updated_at, user_id) \
                 SELECT i, CASE i % 5 WHEN 0 THEN 'pending' WHEN 1 THEN 'processing' \
                 WHEN 2 THEN 'delivered' WHEN 3 THEN 'completed' ELSE 'cancelled' END, \
                 CASE WHEN i % 5 IN (0, 4) THEN 'unpaid' ELSE 'paid' END, (i % 900) + 10.50, \
                 {}, {}, i % {users} + 1 FROM n",
                at(backend, "i * 2"),
                at(backend, "i * 2 + 60")
            ),
        ),
        // Five lines for every two orders: order k has lines 1 + (k % 2) … k gets 2 or 3.
        (
            orders * 5 / 2,
            format!(
                "INSERT INTO orders_orderitem (id, quantity, unit_price, subtotal, order_id, product_id) \
                 SELECT i, i % 3 + 1, (i % 500) + 0.99, ((i % 500) + 0.99) * (i % 3 + 1), \
                 (i * 2 - 1) / 5 + 1, (i * 7) % {products} + 1 FROM n"
            ),
        ),
        (
            reviews,
            format!(
                "INSERT INTO reviews_review (id, rating, comment, created_at, product_id, user_id) \
                 SELECT i, i % 5 + 1, 'Review ' || i, {}, (i * 13) % {products} + 1, i FROM n",
                at(backend, "i + 2000")
            ),
        ),
    ];
    let mut rows = 0;
    for (count, insert) in fills {
        let sql = format!(
            "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) {insert}"
        );
        pool.execute(sql.as_str())
            .await
            .with_context(|| format!("filling the Django database: {insert}"))?;
        rows += count;
    }
    analyze(&pool).await?;
    pool.close().await;
    Ok(rows)
}

/// Fresh statistics, as a live Django database would have.
async fn analyze(pool: &AnyPool) -> anyhow::Result<()> {
    pool.execute("ANALYZE").await?;
    Ok(())
}
