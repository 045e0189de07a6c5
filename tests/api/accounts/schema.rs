//! The accounts schema as each engine stores it.

use nexus::db::Flag;

use crate::api_test;

api_test! {
    async fn boolean_columns_are_native_on_postgres_and_integers_on_sqlite(app: TestApp) {
        // sqlx's Any driver can't read SQLite columns declared BOOLEAN; this guards the migration
        // placeholder that declares them INTEGER there.
        let user = app.create_customer().await;
        let (active,): (Flag,) = sqlx::query_as("SELECT is_active FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(active.0);
        let (sql, expected) = match app.backend {
            Backend::Sqlite => (
                "SELECT typeof(is_active) FROM users WHERE id = $1",
                "integer",
            ),
            Backend::Postgres => (
                "SELECT pg_typeof(is_active)::text FROM users WHERE id = $1",
                "boolean",
            ),
        };
        let stored: String = sqlx::query_scalar(sql)
            .bind(user.id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(stored, expected);
    }
}

api_test! {
    async fn unique_violations_name_the_field_on_both_engines(app: TestApp) {
        // Registration and profile updates rely on this to turn a lost race into a field error.
        let user = app.create_customer().await;
        let insert = |email: String, username: String| {
            sqlx::query(
                "INSERT INTO users (email, username, password_hash, role, is_active, date_joined) \
                 VALUES ($1, $2, 'x', 'customer', TRUE, 0)",
            )
            .bind(email)
            .bind(username)
            .execute(&app.db.pool)
        };
        let same_email = insert(user.email.to_uppercase(), "fresh_name".into())
            .await
            .unwrap_err();
        assert_eq!(
            nexus::db::unique_constraint(&same_email).as_deref(),
            Some("users_email_lower_key")
        );
        let same_username = insert("fresh@shop.example".into(), user.username.clone())
            .await
            .unwrap_err();
        assert_eq!(
            nexus::db::unique_constraint(&same_username).as_deref(),
            Some("users_username_key")
        );
    }
}
