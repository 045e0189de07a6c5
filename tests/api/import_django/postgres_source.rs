//! The same journey from a Django PostgreSQL database (`numeric(10,2)`, `timestamptz`, real
//! booleans) into both Nexus engines. The source needs `TEST_DATABASE_URL` even for the SQLite
//! target, so every test here is compiled as ignored without it.

use super::*;
use crate::helpers::{Backend, POSTGRES_UNSET};

/// Like `api_test!`, but both variants need PostgreSQL (for the source); their names end in
/// `_postgres`, so tests/api/test_counts.rs checks they are ignored exactly when it is unset.
macro_rules! postgres_source_test {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {$(
        mod $name {
            use super::*;

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
            async fn into_sqlite_from_postgres() {
                run(TestApp::spawn(Backend::Sqlite).await.expect("SQLite always runs")).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
            async fn into_postgres_from_postgres() {
                run(TestApp::spawn(Backend::Postgres).await.expect(POSTGRES_UNSET)).await
            }
        }
    )*};
}

postgres_source_test! {
    async fn a_django_postgres_database_imports_with_the_same_summary(app: TestApp) {
        let source = DjangoSource::postgres().await;
        let summary = import_ok(&app, &source, &[]);
        summary::assert_fixture_summary(&summary);
    }

    async fn after_a_postgres_import_django_passwords_sign_in_and_unusable_ones_do_not(app: TestApp) {
        let source = DjangoSource::postgres().await;
        import_ok(&app, &source, &[]);
        shoppers::check_old_passwords_sign_in(&app).await;
        shoppers::check_unusable_passwords_are_refused(&app).await;
    }

    async fn after_a_postgres_import_customers_find_their_accounts_orders_and_cart(app: TestApp) {
        let source = DjangoSource::postgres().await;
        import_ok(&app, &source, &[]);
        shoppers::check_roles_and_profiles(&app).await;
        shoppers::check_addresses(&app).await;
        shoppers::check_merged_cart(&app).await;
        orders::check_orders(&app).await;
        orders::check_other_customers_orders(&app).await;
    }

    async fn after_a_postgres_import_the_catalogue_reviews_and_sequences_are_right(app: TestApp) {
        let source = DjangoSource::postgres().await;
        import_ok(&app, &source, &[]);
        catalogue::check_catalogue(&app).await;
        catalogue::check_skipped_products_are_gone(&app).await;
        catalogue::check_reviews(&app).await;
        fresh_ids::check_new_rows_get_fresh_ids(&app).await;
    }

    async fn a_postgres_dry_run_writes_nothing(app: TestApp) {
        let source = DjangoSource::postgres().await;
        let dry = import_ok(&app, &source, &["--dry-run"]);
        summary::assert_fixture_summary(&dry);
        assert_nothing_written(&app).await;
    }

    async fn timestamps_are_read_in_utc_whatever_the_source_servers_time_zone(app: TestApp) {
        let source = DjangoSource::postgres().await;
        // 23:30 UTC on 31 December is already 1 January in Tokyo.
        source.set_default_time_zone("Asia/Tokyo").await;
        import_ok(&app, &source, &[]);
        let grace = token_of(&app, ids::GRACE);
        let order = app.get_as(&format!("orders/{}/", ids::ORDER_COMPLETED), &grace).await;
        assert_eq!(order.body["order_number"], "NX-20231231-000508", "{}", order.text);
        assert_eq!(order.body["created_at"], "2023-12-31T23:30:00.000000Z");
        orders::check_orders(&app).await;
    }
}
