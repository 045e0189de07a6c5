//! The Django database the importer reads: the schema of DJANGO-OBSERVED.md §10
//! (django_schema.*.sql) filled with django_data.sql, as a SQLite file in a temporary directory
//! or as a fresh PostgreSQL database that is dropped afterwards.

use std::path::PathBuf;

use sqlx::{sqlite::SqliteConnectOptions, Connection, Executor, PgConnection, SqliteConnection};

use crate::helpers::{
    create_postgres_database, drop_postgres_database, replace_database_name, POSTGRES_UNSET,
};

const SQLITE_SCHEMA: &str = include_str!("django_schema.sqlite.sql");
const POSTGRES_SCHEMA: &str = include_str!("django_schema.postgres.sql");
const DATA: &str = include_str!("django_data.sql");

/// The password behind every usable Django hash in django_data.sql.
pub const DJANGO_PASSWORD: &str = "Old-Django-Pass-42";

/// Ada's Django hash (600000 iterations), which the importer keeps as it is.
pub const ADA_HASH: &str =
    "pbkdf2_sha256$600000$Fj4kP0aZqW9eRtY2uI7oLm$/JAVkMugJfCVf46DtKZM8jhjUuR8z5ky6Fr8D7nM290=";

/// Django ids in django_data.sql, named by what happens to them.
pub mod ids {
    /// Superuser → admin.
    pub const OWNER: i64 = 10;
    /// `is_staff` → staff (a 260000-iteration hash).
    pub const CLERK: i64 = 12;
    /// The customer with two carts, two default addresses and five orders.
    pub const ADA: i64 = 15;
    /// A customer with a Django 5.2 (1000000-iteration) hash.
    pub const GRACE: i64 = 17;
    /// Unusable (`!…`) password.
    pub const LOCKED: i64 = 20;
    /// `bcrypt_sha256$…` password.
    pub const BCRYPTED: i64 = 21;
    /// No email: skipped.
    pub const NO_EMAIL: i64 = 23;
    /// `Max.Case@Example.com`: kept.
    pub const MIXED_KEPT: i64 = 25;
    /// `max.case@example.com`: skipped (same email, other case, higher id).
    pub const MIXED_DROPPED: i64 = 26;
    /// Inactive, empty password field.
    pub const GONE: i64 = 30;
    /// The highest imported user id.
    pub const LAST_USER: i64 = 30;

    pub const ELECTRONICS: i64 = 3;
    pub const BOOKS: i64 = 5;
    pub const GARDEN: i64 = 8;

    /// 199.99, stock 7, image `products/phone.jpg`.
    pub const PHONE: i64 = 40;
    /// 19.99, image `''`.
    pub const HEADPHONES: i64 = 41;
    /// 12.50, stock 3, image NULL.
    pub const NOVEL: i64 = 43;
    /// Price -5.00: skipped.
    pub const NEGATIVE: i64 = 44;
    /// Inactive, image `products/lamp.jpg`.
    pub const LAMP: i64 = 46;
    /// Empty title: skipped.
    pub const UNTITLED: i64 = 47;
    /// Image `../secrets.jpg`: imported without it.
    pub const GNOME: i64 = 48;

    /// Ada's oldest cart, into which her other cart (203) is merged.
    pub const ADA_CART: i64 = 200;
    pub const GRACE_CART: i64 = 208;
    pub const LAST_CART: i64 = 208;

    /// The highest imported address id (110, of a skipped user, is not imported).
    pub const LAST_ADDRESS: i64 = 107;
    /// The highest imported cart line id.
    pub const LAST_CART_ITEM: i64 = 309;
    /// Pending, 3 × 19.99.
    pub const ORDER_PENDING: i64 = 500;
    /// Processing, total 1234.56 that its lines don't add up to.
    pub const ORDER_PROCESSING: i64 = 502;
    /// Shipped; one of its two lines is for the skipped product.
    pub const ORDER_SHIPPED: i64 = 503;
    /// Delivered; one line's Django subtotal differs.
    pub const ORDER_DELIVERED: i64 = 505;
    /// Cancelled; both lines skipped (quantity 0, negative unit price).
    pub const ORDER_CANCELLED: i64 = 507;
    /// Grace's, at 23:30 UTC on 2023-12-31.
    pub const ORDER_COMPLETED: i64 = 508;
    pub const ORDER_FAILED: i64 = 510;
    /// The highest imported order id (511–514 are skipped).
    pub const LAST_ORDER: i64 = 510;
    /// The highest imported order line id.
    pub const LAST_ORDER_ITEM: i64 = 611;
    pub const LAST_REVIEW: i64 = 708;
}

/// A Django source database; PostgreSQL ones are dropped on drop.
pub struct DjangoSource {
    url: String,
    place: Place,
}

enum Place {
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl DjangoSource {
    /// The Django shop of django_data.sql in a SQLite file (`db.sqlite3`, as Django names it).
    pub async fn sqlite() -> DjangoSource {
        let source = Self::sqlite_file().await;
        source.execute(SQLITE_SCHEMA).await;
        source.execute(DATA).await;
        source
    }

    /// A SQLite file with no tables at all (a valid, empty database).
    pub async fn empty_sqlite() -> DjangoSource {
        let source = Self::sqlite_file().await;
        source
            .execute("CREATE TABLE notes (id INTEGER PRIMARY KEY); DROP TABLE notes;")
            .await;
        source
    }

    /// The Django shop of django_data.sql in a fresh PostgreSQL database on the server of
    /// `TEST_DATABASE_URL` (for tests compiled only when it is set).
    pub async fn postgres() -> DjangoSource {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .expect(POSTGRES_UNSET);
        let name = format!("django_source_{}", uuid::Uuid::new_v4().simple());
        create_postgres_database(&admin_url, &name).await;
        let source = DjangoSource {
            url: replace_database_name(&admin_url, &name),
            place: Place::Postgres { admin_url, name },
        };
        source.execute(POSTGRES_SCHEMA).await;
        source.execute(DATA).await;
        source
    }

    async fn sqlite_file() -> DjangoSource {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        DjangoSource {
            url: format!("sqlite://{}", path.display()),
            place: Place::Sqlite { path, _dir: dir },
        }
    }

    /// What `--from` takes.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Makes `zone` the PostgreSQL source's default time zone, so every session the importer
    /// opens sees its `timestamptz` values in that zone unless it asks for UTC.
    pub async fn set_default_time_zone(&self, zone: &str) {
        let Place::Postgres { admin_url, name } = &self.place else {
            panic!("SQLite has no time zone");
        };
        let mut conn = PgConnection::connect(admin_url).await.unwrap();
        conn.execute(format!("ALTER DATABASE {name} SET timezone TO '{zone}'").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
    }

    /// Runs `sql` (several statements) on the source and closes the connection, so the
    /// importer finds a file nobody holds.
    pub async fn execute(&self, sql: &str) {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true);
                let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
                conn.execute(sqlx::raw_sql(sql)).await.unwrap();
                conn.close().await.unwrap();
            }
            Place::Postgres { .. } => {
                let mut conn = PgConnection::connect(&self.url).await.unwrap();
                // The data's timestamps are naive UTC, as Django's SQLite backend writes them.
                conn.execute("SET TIME ZONE 'UTC'").await.unwrap();
                conn.execute(sqlx::raw_sql(sql)).await.unwrap();
                conn.close().await.unwrap();
            }
        }
    }
}

impl Drop for DjangoSource {
    fn drop(&mut self) {
        if let Place::Postgres { admin_url, name } = &self.place {
            drop_postgres_database(admin_url.clone(), name.clone());
        }
    }
}
