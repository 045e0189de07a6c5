//! How the command behaves around the data: `--dry-run` writes nothing, a non-empty target is
//! refused unless `--force`, and a source that is missing or not a Django shop is a clear error
//! with nothing written.

use super::*;
use crate::api_test;

const TABLES: [&str; 9] = [
    "users_user",
    "users_address",
    "catalog_category",
    "catalog_product",
    "cart_cart",
    "cart_cartitem",
    "orders_order",
    "orders_orderitem",
    "reviews_review",
];

fn rows_of(summary: &summary::Summary) -> Vec<[i64; 3]> {
    TABLES.iter().map(|table| summary.row(table)).collect()
}

api_test! {
    async fn a_dry_run_prints_the_same_summary_and_writes_nothing(app: TestApp) {
        let source = DjangoSource::sqlite().await;
        let dry = import_ok(&app, &source, &["--dry-run"]);
        summary::assert_fixture_summary(&dry);
        assert!(
            dry.stdout
                .lines()
                .any(|line| line.to_lowercase().contains("nothing") && line.contains("written")),
            "{}",
            dry.stdout
        );
        assert_nothing_written(&app).await;
        let signed_in = sign_in(&app, "ada@example.com", DJANGO_PASSWORD).await;
        assert_eq!(signed_in.status, 401, "{}", signed_in.text);

        let real = import_ok(&app, &source, &[]);
        assert_eq!(rows_of(&real), rows_of(&dry));
        assert_eq!(rows(&app, "users").await, 8);
    }

    async fn a_target_that_is_not_empty_is_refused_and_left_as_it_was(app: TestApp) {
        let existing = app.create_customer().await;
        let source = DjangoSource::sqlite().await;
        let stderr = assert_refused(&run_import(&app, source.url(), &[]));
        assert!(stderr.contains("--force"), "{stderr}");
        assert_eq!(rows(&app, "users").await, 1);
        assert_eq!(rows(&app, "products").await, 0);
        assert_eq!(app.get_as("auth/users/me/", &existing.token).await.status, 200);
    }

    async fn force_replaces_the_target_and_importing_twice_gives_the_same_data(app: TestApp) {
        let existing = app.create_customer().await;
        app.product().create().await;
        let source = DjangoSource::sqlite().await;
        let first = import_ok(&app, &source, &["--force"]);
        summary::assert_fixture_summary(&first);
        let after_first = table_counts(&app).await;
        let existing_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
            .bind(&existing.email)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(existing_rows, 0, "the target's own data was replaced");
        assert_eq!(rows(&app, "users").await, 8);
        assert_eq!(rows(&app, "products").await, 5);

        // Without --force the now non-empty target is refused; with it, no duplicates.
        assert_refused(&run_import(&app, source.url(), &[]));
        let second = import_ok(&app, &source, &["--force"]);
        assert_eq!(rows_of(&second), rows_of(&first));
        assert_eq!(table_counts(&app).await, after_first);
        crate::import_django::orders::check_orders(&app).await;
    }

    async fn a_database_without_the_django_tables_is_refused_and_nothing_is_written(app: TestApp) {
        let empty = DjangoSource::empty_sqlite().await;
        let stderr = assert_refused(&run_import(&app, empty.url(), &[]));
        assert!(stderr.contains("users_user") || stderr.contains("Django"), "{stderr}");
        assert_nothing_written(&app).await;

        // A Django database missing one table: the error names it.
        let partial = DjangoSource::sqlite().await;
        partial.execute("DROP TABLE reviews_review;").await;
        let stderr = assert_refused(&run_import(&app, partial.url(), &[]));
        assert!(stderr.contains("reviews_review"), "{stderr}");
        assert_nothing_written(&app).await;
    }

    async fn a_missing_or_unreachable_source_is_an_error_and_nothing_is_written(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        let missing = format!("sqlite://{}/db.sqlite3", dir.path().display());
        assert_refused(&run_import(&app, &missing, &[]));
        assert!(!dir.path().join("db.sqlite3").exists(), "opened read-only, not created");
        assert_refused(&run_import(&app, "postgres://django@127.0.0.1:1/shop", &[]));
        assert_refused(&run_import(&app, "mysql://django@127.0.0.1/shop", &[]));
        assert_nothing_written(&app).await;
    }
}
