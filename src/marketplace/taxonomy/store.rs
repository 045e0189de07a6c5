//! Every SQL statement on service categories and skills.

use sqlx::AnyConnection;

use super::{
    kind::Kind,
    request::TermWrite,
    views::{ServiceCategoryView, SkillView},
};
use crate::{
    catalog::slugs,
    db::{now_micros, Db, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    marketplace::{
        ids::new_id,
        listing::{self, DefaultOrder, OrderKey, Sortable, TieBreak},
        search_text::{self, Scope},
    },
    validation::messages,
};

/// A category or skill as [`Kind::columns`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct TermRow {
    id: String,
    name: String,
    slug: String,
    description: String,
}

impl From<TermRow> for ServiceCategoryView {
    fn from(row: TermRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
            description: row.description,
        }
    }
}

impl From<TermRow> for SkillView {
    fn from(row: TermRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
        }
    }
}

/// A slug taken by another row is the client's `400` under `slug`.
fn slug_taken(kind: Kind) -> impl FnOnce(Violation<'_>) -> Option<ApiError> {
    move |violation| {
        (violation == Violation::Unique(kind.slug_constraint()))
            .then(|| FieldErrors::single("slug", messages::already_exists(kind.model(), "slug")))
    }
}

/// The `ordering` keys a list accepts (by name by default).
pub const SORTABLE: &[Sortable] = &[
    Sortable::new("name", "LOWER(name)"),
    Sortable::new("created_at", "created_at"),
];

/// How many rows match `search`, and the page of them in `ordering` (by name by default).
pub async fn page(
    db: &Db,
    kind: Kind,
    search: Option<&str>,
    ordering: &[OrderKey],
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<TermRow>), ApiError> {
    let filtered = |select: &str| {
        let mut sql = SqlBuilder::new(&format!("SELECT {select} FROM {} WHERE TRUE", kind.table()));
        listing::push_search(&mut sql, &["name"], search);
        sql
    };
    let count = filtered("CAST(COUNT(*) AS BIGINT)")
        .fetch_i64(&db.pool)
        .await?;
    if offset >= count {
        return Ok((count, Vec::new()));
    }
    let mut sql = filtered(kind.columns());
    listing::push_order_by(
        &mut sql,
        ordering,
        DefaultOrder::ascending("LOWER(name)"),
        TieBreak::FollowFirst("id"),
    );
    sql.push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    Ok((count, sql.query_as().fetch_all(&db.pool).await?))
}

/// Row `id`, if it exists.
pub async fn find(db: &Db, kind: Kind, id: &str) -> Result<Option<TermRow>, ApiError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1",
        kind.columns(),
        kind.table()
    );
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?)
}

/// Inserts a row and returns its id; the slug is generated from the name when not given.
pub async fn insert(db: &Db, kind: Kind, term: &TermWrite) -> Result<String, ApiError> {
    let id = new_id();
    let name = term.name.clone().unwrap_or_default();
    let description = term.description.clone().unwrap_or_default();
    let insert = |slug: String| {
        let query = match kind {
            Kind::Category => sqlx::query(
                "INSERT INTO service_categories (id, name, slug, description, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.clone())
            .bind(name.clone())
            .bind(slug)
            .bind(description.clone()),
            Kind::Skill => sqlx::query(
                "INSERT INTO skills (id, name, slug, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.clone())
            .bind(name.clone())
            .bind(slug),
        }
        .bind(now_micros());
        async move { query.execute(&db.pool).await.map(|_| ()) }
    };
    slugs::insert_with_slug(
        &db.pool,
        kind.slug_table(),
        term.given_slug(),
        &name,
        insert,
    )
    .await
    .on_constraint(slug_taken(kind))?;
    Ok(id)
}

/// Applies the fields a PUT/PATCH sent; a rename rewrites the search text of the services that
/// carry the name, in the same transaction.
pub async fn update(db: &Db, kind: Kind, id: &str, changes: &TermWrite) -> Result<(), ApiError> {
    // `id = id` keeps the statement valid for a body that changes nothing.
    let mut sql = SqlBuilder::new(&format!("UPDATE {} SET id = id", kind.table()));
    if let Some(name) = &changes.name {
        sql.push(", name = ").push_bind(name.as_str());
    }
    if let Some(slug) = changes.given_slug() {
        sql.push(", slug = ").push_bind(slug);
    }
    if let (Kind::Category, Some(description)) = (kind, &changes.description) {
        sql.push(", description = ").push_bind(description.as_str());
    }
    sql.push(" WHERE id = ").push_bind(id);
    let mut tx = db.begin_write().await?;
    let done = sql
        .query()
        .execute(&mut *tx)
        .await
        .on_constraint(slug_taken(kind))?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    if changes.name.is_some() {
        search_text::refresh(&mut tx, db.backend, kind.scope(id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes a row. The services that carried its name lose it from their search text in the same
/// transaction: they are found first, since the delete unlinks them (a category's services keep
/// no category; a skill leaves its providers).
pub async fn delete(db: &Db, kind: Kind, id: &str) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    let affected: Vec<String> = match kind {
        Kind::Category => sqlx::query_scalar("SELECT id FROM services WHERE category_id = $1"),
        Kind::Skill => {
            sqlx::query_scalar("SELECT provider_id FROM provider_skills WHERE skill_id = $1")
        }
    }
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let done = sqlx::query(&format!("DELETE FROM {} WHERE id = $1", kind.table()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    for other in &affected {
        let scope = match kind {
            Kind::Category => Scope::Service(other),
            Kind::Skill => Scope::Provider(other),
        };
        search_text::refresh(&mut tx, db.backend, scope).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The ids among `ids` that name no skill, in the order given.
pub async fn unknown_skills(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new("SELECT id FROM skills WHERE id IN (");
    sql.push_list(ids.iter().map(String::as_str)).push(")");
    let known: Vec<String> = sql
        .query_as::<(String,)>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    Ok(ids
        .iter()
        .filter(|id| !known.contains(id))
        .cloned()
        .collect())
}

/// True when service category `id` exists.
pub async fn category_exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM service_categories WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}
