//! Which schema rule a failed write broke, named the same on both engines, and the one helper
//! features use to word it as an API error ([`ResultExt::on_constraint`]).
//!
//! Uniqueness and references are the database's job: a write is attempted and a violation is
//! mapped afterwards, never pre-checked with a racy `SELECT` alone. The engines report a
//! violation differently, and that difference lives here only:
//! - PostgreSQL names the constraint or index (`users_username_key`, `users_email_lower_key`).
//! - SQLite names no constraint, only the text `UNIQUE constraint failed: users.username`
//!   (`table.column, ...`), or `... failed: index 'users_email_lower_key'` for an index over an
//!   expression. A column list is turned into the name PostgreSQL gives a `UNIQUE` constraint
//!   by default (`<table>_<columns>_key`), so features match one name on both engines.
//!
//! A unique index over plain columns *with its own name* (a partial index such as
//! `payments_one_live_per_order`) is still reported by its columns on SQLite; map such an index
//! by its derived name too, or give it the default name.
//!
//! Neither engine names a foreign key in a way both share (SQLite says only `FOREIGN KEY
//! constraint failed`), so a foreign-key violation is one [`Violation::ForeignKey`].

use std::borrow::Cow;

/// A schema rule a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation<'a> {
    /// A unique constraint or index, by its PostgreSQL name (see the module comment).
    Unique(&'a str),
    /// Some foreign key: the referenced row is gone, or a restricting row still refers to this one.
    ForeignKey,
}

/// True when the error is a unique-constraint violation (on either engine).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// True when the error is a foreign-key violation (on either engine).
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_foreign_key_violation()
        // SQLite refuses an `ON DELETE RESTRICT` delete with SQLITE_CONSTRAINT_TRIGGER (1811)
        // rather than SQLITE_CONSTRAINT_FOREIGNKEY, under the same message.
        || (db.code().as_deref() == Some("1811") && db.message().contains("FOREIGN KEY constraint failed")))
}

/// The name of the unique constraint `err` violated, the same on both engines; `None` for any
/// other error.
pub fn unique_constraint(err: &sqlx::Error) -> Option<Cow<'_, str>> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    match db.constraint() {
        // PostgreSQL.
        Some(name) => Some(Cow::Borrowed(name)),
        // SQLite.
        None => sqlite_unique_name(db.message()).map(Cow::Owned),
    }
}

/// The constraint name in SQLite's `UNIQUE constraint failed: ...` message.
fn sqlite_unique_name(message: &str) -> Option<String> {
    let target = message.strip_prefix("UNIQUE constraint failed: ")?;
    if let Some(index) = target.strip_prefix("index '") {
        return index.strip_suffix('\'').map(str::to_owned);
    }
    // `t.a, t.b` → `t_a_b_key`, PostgreSQL's default name for `UNIQUE (a, b)` on `t`.
    let mut table = None;
    let mut name = String::new();
    for qualified in target.split(", ") {
        let (t, column) = qualified.split_once('.')?;
        if *table.get_or_insert(t) != t {
            return None;
        }
        if name.is_empty() {
            name.push_str(t);
        }
        name.push('_');
        name.push_str(column);
    }
    name.push_str("_key");
    Some(name)
}

/// realworld-axum-sqlx's `on_constraint`: a failed write's violation becomes the error a feature
/// words for it, so the schema, not a racy pre-check, decides.
pub trait ResultExt<T> {
    /// Hands a violation to `map`; the error it returns replaces the database error. A violation
    /// `map` answers `None` for, and every other error, converts with `From<sqlx::Error>`.
    fn on_constraint<E: From<sqlx::Error>>(
        self,
        map: impl FnOnce(Violation<'_>) -> Option<E>,
    ) -> Result<T, E>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_constraint<E: From<sqlx::Error>>(
        self,
        map: impl FnOnce(Violation<'_>) -> Option<E>,
    ) -> Result<T, E> {
        self.map_err(|err| {
            let mapped = if is_foreign_key_violation(&err) {
                map(Violation::ForeignKey)
            } else {
                unique_constraint(&err).and_then(|name| map(Violation::Unique(&name)))
            };
            mapped.unwrap_or_else(|| err.into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use sqlx::{Connection, Executor, SqliteConnection};

    #[test]
    fn sqlite_column_lists_read_as_postgres_default_names() {
        let name = |m: &str| sqlite_unique_name(m);
        assert_eq!(
            name("UNIQUE constraint failed: users.username").as_deref(),
            Some("users_username_key")
        );
        assert_eq!(
            name("UNIQUE constraint failed: reviews.user_id, reviews.product_id").as_deref(),
            Some("reviews_user_id_product_id_key")
        );
        assert_eq!(
            name("UNIQUE constraint failed: index 'users_email_lower_key'").as_deref(),
            Some("users_email_lower_key")
        );
        assert_eq!(name("NOT NULL constraint failed: users.email"), None);
        assert_eq!(name("UNIQUE constraint failed: a.x, b.y"), None);
    }

    /// The names SQLite's real messages yield, and what `on_constraint` makes of them.
    #[tokio::test]
    async fn sqlite_violations_are_named_like_postgres_ones() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        conn.execute(
            "PRAGMA foreign_keys = ON; \
             CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, username TEXT UNIQUE); \
             CREATE UNIQUE INDEX users_email_lower_key ON users (LOWER(email)); \
             CREATE TABLE reviews (user_id BIGINT REFERENCES users (id), product_id BIGINT, \
             UNIQUE (user_id, product_id)); \
             INSERT INTO users VALUES (1, 'a@x.io', 'ann'); \
             INSERT INTO reviews VALUES (1, 7);",
        )
        .await
        .unwrap();
        let name = |result: Result<(), sqlx::Error>| {
            unique_constraint(&result.unwrap_err()).map(Cow::into_owned)
        };
        let username = run(&mut conn, "INSERT INTO users VALUES (2, 'b@x.io', 'ann')").await;
        assert_eq!(name(username).as_deref(), Some("users_username_key"));
        let email = run(&mut conn, "INSERT INTO users VALUES (2, 'A@X.IO', 'bob')").await;
        assert_eq!(name(email).as_deref(), Some("users_email_lower_key"));
        let review = run(&mut conn, "INSERT INTO reviews VALUES (1, 7)").await;
        assert_eq!(
            name(review).as_deref(),
            Some("reviews_user_id_product_id_key")
        );

        let gone = run(&mut conn, "INSERT INTO reviews VALUES (9, 8)").await;
        let mapped: Result<(), Wrapped> =
            gone.on_constraint(|v| (v == Violation::ForeignKey).then_some(Wrapped(None)));
        assert!(matches!(mapped, Err(Wrapped(None))), "{mapped:?}");

        let unmapped = run(&mut conn, "INSERT INTO users VALUES (3, 'c@x.io', 'ann')").await;
        let mapped: Result<(), Wrapped> = unmapped.on_constraint(|v| match v {
            Violation::Unique("users_email_lower_key") => Some(Wrapped(None)),
            _ => None,
        });
        assert!(
            matches!(mapped, Err(Wrapped(Some(_)))),
            "a violation nobody words stays the database error"
        );
    }

    async fn run(conn: &mut SqliteConnection, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::query(sql).execute(conn).await.map(|_| ())
    }

    /// An error type that tells a mapped error from a converted one.
    #[derive(Debug)]
    struct Wrapped(Option<sqlx::Error>);

    impl From<sqlx::Error> for Wrapped {
        fn from(err: sqlx::Error) -> Self {
            Self(Some(err))
        }
    }
}
