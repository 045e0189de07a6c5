//! The `addresses` table. Every query is scoped to its owner, so another user's address is
//! simply not found.

use sqlx::{Any, Executor, Transaction};

use crate::{
    db::{now_micros, Flag},
    http::pagination::PageRequest,
};

/// The editable fields of an address; also the shipping-address snapshot stored on an order.
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    sqlx::FromRow,
)]
pub struct AddressFields {
    pub first_name: String,
    pub last_name: String,
    pub address_line_1: String,
    #[serde(default)]
    pub address_line_2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    #[serde(default)]
    pub phone_number: String,
}

/// One stored address.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Address {
    pub id: i64,
    #[sqlx(flatten)]
    pub fields: AddressFields,
    pub is_default: Flag,
}

/// The columns of an [`Address`].
const COLUMNS: &str = "id, first_name, last_name, address_line_1, address_line_2, city, \
                       postal_code, country, phone_number, is_default";

/// One page of the user's addresses, default first, then newest.
pub async fn list<'e, E>(
    executor: E,
    user_id: i64,
    page: &PageRequest,
) -> Result<Vec<Address>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM addresses WHERE user_id = $1 ORDER BY is_default DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(user_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(executor)
    .await
}

/// How many addresses the user has.
pub async fn count<'e, E>(executor: E, user_id: i64) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM addresses WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(executor)
        .await
}

/// The user's address `id`.
pub async fn find<'e, E>(executor: E, user_id: i64, id: i64) -> Result<Option<Address>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM addresses WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// The user's default address.
pub async fn find_default<'e, E>(executor: E, user_id: i64) -> Result<Option<Address>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM addresses WHERE user_id = $1 AND is_default = TRUE"
    ))
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// Starts a transaction that owns the user's addresses until it ends.
///
/// Its first statement writes the user's row: PostgreSQL then queues other writers of the same
/// user's addresses behind this one, and SQLite takes its write lock up front, so two requests
/// choosing a default can't interleave (the partial unique index stays the final guard).
pub async fn begin_for_user(
    db: &crate::db::Db,
    user_id: i64,
) -> Result<Transaction<'static, Any>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET last_login = last_login WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Clears the user's default flag on every address but `keep`.
pub async fn clear_default(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    keep: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE addresses SET is_default = FALSE WHERE user_id = $1 AND is_default = TRUE AND id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Inserts an address; returns its id.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    f: &AddressFields,
    is_default: bool,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO addresses (user_id, first_name, last_name, address_line_1, address_line_2, city, postal_code, \
         country, phone_number, is_default, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(user_id)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(&f.address_line_1)
    .bind(&f.address_line_2)
    .bind(&f.city)
    .bind(&f.postal_code)
    .bind(&f.country)
    .bind(&f.phone_number)
    .bind(is_default)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await
}

/// Overwrites an address's fields and default flag.
pub async fn update(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    address: &Address,
) -> Result<(), sqlx::Error> {
    let f = &address.fields;
    sqlx::query(
        "UPDATE addresses SET first_name = $1, last_name = $2, address_line_1 = $3, address_line_2 = $4, city = $5, \
         postal_code = $6, country = $7, phone_number = $8, is_default = $9 WHERE id = $10 AND user_id = $11",
    )
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(&f.address_line_1)
    .bind(&f.address_line_2)
    .bind(&f.city)
    .bind(&f.postal_code)
    .bind(&f.country)
    .bind(&f.phone_number)
    .bind(address.is_default.0)
    .bind(address.id)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes the user's address `id`; false when there was none.
pub async fn delete<'e, E>(executor: E, user_id: i64, id: i64) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query("DELETE FROM addresses WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}
