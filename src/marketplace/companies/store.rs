//! Every SQL statement on companies.

use sqlx::AnyConnection;

use super::{request::CompanyWrite, views::CompanyView};
use crate::{
    db::{now_micros, types::format_micros, Db, SqlBuilder},
    error::ApiError,
    marketplace::{
        ids::new_id,
        listing::{self, DefaultOrder, OrderKey, Sortable, TieBreak},
    },
};

/// The members are the providers naming the company (an index range on `company_id`).
const COLUMNS: &str = "c.id, c.name, c.description, c.website, c.owner_id, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM providers p WHERE p.company_id = c.id) AS members_count, \
    c.created_at";

/// A company as [`COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct CompanyRow {
    id: String,
    name: String,
    description: String,
    website: String,
    pub owner_id: i64,
    members_count: i64,
    created_at: i64,
}

impl From<CompanyRow> for CompanyView {
    fn from(row: CompanyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            website: row.website,
            owner: row.owner_id,
            members_count: row.members_count,
            created_at: format_micros(row.created_at),
        }
    }
}

/// What a list asks for.
#[derive(Debug, Default)]
pub struct CompanyFilter<'a> {
    pub owner: Option<i64>,
    pub search: Option<&'a str>,
    pub ordering: Vec<OrderKey>,
}

/// The `ordering` keys a list accepts.
pub const SORTABLE: &[Sortable] = &[
    Sortable::new("name", "LOWER(c.name)"),
    Sortable::new("created_at", "c.created_at"),
    Sortable::new("members_count", "members_count"),
];

impl CompanyFilter<'_> {
    fn sql(&self, select: &str) -> SqlBuilder {
        let mut sql = SqlBuilder::new(&format!("SELECT {select} FROM companies c WHERE TRUE"));
        if let Some(owner) = self.owner {
            sql.push(" AND c.owner_id = ").push_bind(owner);
        }
        listing::push_search(&mut sql, &["c.name", "c.description"], self.search);
        sql
    }
}

/// How many companies pass `filter`, and one page of them (newest first by default).
pub async fn page(
    db: &Db,
    filter: &CompanyFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<CompanyRow>), ApiError> {
    let count = filter
        .sql("CAST(COUNT(*) AS BIGINT)")
        .fetch_i64(&db.pool)
        .await?;
    if offset >= count {
        return Ok((count, Vec::new()));
    }
    let mut sql = filter.sql(COLUMNS);
    listing::push_order_by(
        &mut sql,
        &filter.ordering,
        DefaultOrder::descending("c.created_at"),
        TieBreak::FollowFirst("c.id"),
    );
    sql.push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    Ok((count, sql.query_as().fetch_all(&db.pool).await?))
}

/// Company `id`, if it exists.
pub async fn find(db: &Db, id: &str) -> Result<Option<CompanyRow>, ApiError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM companies c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?)
}

/// Inserts a company owned by `owner_id`; returns its id.
pub async fn insert(db: &Db, owner_id: i64, company: &CompanyWrite) -> Result<String, ApiError> {
    let id = new_id();
    let now = now_micros();
    let mut conn = db.write_connection().await?;
    sqlx::query(
        "INSERT INTO companies (id, owner_id, name, description, website, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(owner_id)
    .bind(company.name.clone().unwrap_or_default())
    .bind(company.description.clone().unwrap_or_default())
    .bind(company.website.clone().unwrap_or_default())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Applies the fields a PUT/PATCH sent.
pub async fn update(db: &Db, id: &str, changes: &CompanyWrite) -> Result<(), ApiError> {
    let mut sql = SqlBuilder::new("UPDATE companies SET updated_at = ");
    sql.push_bind(now_micros());
    for (column, value) in [
        ("name", &changes.name),
        ("description", &changes.description),
        ("website", &changes.website),
    ] {
        if let Some(value) = value {
            sql.push(&format!(", {column} = "))
                .push_bind(value.as_str());
        }
    }
    sql.push(" WHERE id = ").push_bind(id);
    let mut conn = db.write_connection().await?;
    sql.query().execute(&mut *conn).await?;
    Ok(())
}

/// Deletes a company; its members stay providers, without a company (`ON DELETE SET NULL`).
pub async fn delete(db: &Db, id: &str) -> Result<(), ApiError> {
    let mut conn = db.write_connection().await?;
    let done = sqlx::query("DELETE FROM companies WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    Ok(())
}

/// True when company `id` exists.
pub async fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM companies WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}
