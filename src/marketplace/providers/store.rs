//! Every SQL statement on provider profiles and their skills.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{filters::ProviderFilter, request::ProviderWrite, views::ProviderView};
use crate::{
    db::{now_micros, types::format_micros, Backend, Db, Flag, SqlBuilder},
    error::ApiError,
    marketplace::{
        ids::new_id,
        listing::{self, DefaultOrder, Sortable, TieBreak},
        search_text::{self, Scope},
        taxonomy::SkillView,
    },
    money::Money,
    reviews::Rating,
};

const COLUMNS: &str = "p.id, p.user_id, p.display_name, p.bio, p.company_id, p.hourly_rate_cents, \
    p.rating_sum, p.reviews_count, p.is_verified, p.created_at";

/// The average rating as SQL, `0` without reviews (as [`Rating`] shows it).
const RATING: &str = "CASE WHEN p.reviews_count = 0 THEN 0 \
    ELSE CAST(p.rating_sum AS DOUBLE PRECISION) / p.reviews_count END";

/// The `ordering` keys a list accepts. A provider without a rate sorts as the dearest, as
/// PostgreSQL sorts nulls, on both engines.
pub const SORTABLE: &[Sortable] = &[
    Sortable::new("created_at", "p.created_at"),
    Sortable::new("rating", RATING),
    Sortable::nullable("hourly_rate", "p.hourly_rate_cents"),
    Sortable::new("reviews_count", "p.reviews_count"),
];

/// A `min_rating` above every possible average (in hundredths): it matches nothing, and keeps
/// `min × reviews_count` far from overflow.
const ABOVE_ANY_RATING: i64 = 501;

/// A provider as [`COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub user_id: i64,
    display_name: String,
    bio: String,
    company_id: Option<String>,
    hourly_rate_cents: Option<i64>,
    rating_sum: i64,
    reviews_count: i64,
    is_verified: Flag,
    created_at: i64,
}

impl ProviderRow {
    fn view(self, skills: Vec<SkillView>) -> ProviderView {
        let average = if self.reviews_count == 0 {
            0.0
        } else {
            self.rating_sum as f64 / self.reviews_count as f64
        };
        ProviderView {
            id: self.id,
            user: self.user_id,
            display_name: self.display_name,
            bio: self.bio,
            skills,
            company: self.company_id,
            hourly_rate: self.hourly_rate_cents.map(Money::from_cents),
            rating: Rating(average),
            reviews_count: self.reviews_count,
            is_verified: self.is_verified.0,
            created_at: format_micros(self.created_at),
        }
    }
}

impl ProviderFilter {
    fn sql(&self, select: &str) -> SqlBuilder {
        let mut sql = SqlBuilder::new(&format!("SELECT {select} FROM providers p WHERE TRUE"));
        if let Some(skill) = &self.skill {
            sql.push(" AND p.id IN (SELECT provider_id FROM provider_skills WHERE skill_id = ")
                .push_bind(skill.as_str())
                .push(")");
        }
        if let Some(company) = &self.company {
            sql.push(" AND p.company_id = ").push_bind(company.as_str());
        }
        if let Some(verified) = self.is_verified {
            sql.push(" AND p.is_verified = ").push_bind(verified);
        }
        if let Some(min) = self.min_rating.filter(|min| *min > 0) {
            // sum / count >= min / 100, without division; no reviews is a rating of 0.
            sql.push(" AND p.reviews_count > 0 AND p.rating_sum * 100 >= ")
                .push_bind(min.min(ABOVE_ANY_RATING))
                .push(" * p.reviews_count");
        }
        listing::push_search(
            &mut sql,
            &["p.display_name", "p.bio"],
            self.search.as_deref(),
        );
        sql
    }
}

/// How many providers pass `filter`, and one page of them (newest first by default).
pub async fn page(
    db: &Db,
    filter: &ProviderFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ProviderView>), ApiError> {
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
        DefaultOrder::descending("p.created_at"),
        TieBreak::FollowFirst("p.id"),
    );
    sql.push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows: Vec<ProviderRow> = sql.query_as().fetch_all(&db.pool).await?;
    Ok((count, with_skills(db, rows).await?))
}

/// Provider `id`, if it exists.
pub async fn find(db: &Db, id: &str) -> Result<Option<ProviderView>, ApiError> {
    let row: Option<ProviderRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM providers p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(with_skills(db, vec![row]).await?.pop())
}

/// The user whose profile `id` is, if it exists.
pub async fn owner_of(conn: &mut AnyConnection, id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM providers WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The views of `rows`, each with its skills by name (one query for the lot).
async fn with_skills(db: &Db, rows: Vec<ProviderRow>) -> Result<Vec<ProviderView>, ApiError> {
    let mut skills: HashMap<String, Vec<SkillView>> = HashMap::new();
    if !rows.is_empty() {
        let mut sql = SqlBuilder::new(
            "SELECT ps.provider_id, k.id, k.name, k.slug FROM provider_skills ps \
             JOIN skills k ON k.id = ps.skill_id WHERE ps.provider_id IN (",
        );
        sql.push_list(rows.iter().map(|row| row.id.as_str()))
            .push(") ORDER BY LOWER(k.name), k.id");
        let found: Vec<(String, String, String, String)> =
            sql.query_as().fetch_all(&db.pool).await?;
        for (provider, id, name, slug) in found {
            skills
                .entry(provider)
                .or_default()
                .push(SkillView { id, name, slug });
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = skills.remove(&row.id).unwrap_or_default();
            row.view(own)
        })
        .collect())
}

/// Inserts `user_id`'s profile and its skills on `conn` (the writing transaction); returns its
/// id. A second profile of the same user breaks `UNIQUE (user_id)`: the caller words it.
pub async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    body: &ProviderWrite,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_micros();
    sqlx::query(
        "INSERT INTO providers (id, user_id, display_name, bio, company_id, hourly_rate_cents, \
         is_verified, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(body.display_name.clone().unwrap_or_default())
    .bind(body.bio.clone().unwrap_or_default())
    .bind(body.company.clone().flatten())
    .bind(body.hourly_rate.flatten().map(Money::cents))
    .bind(body.is_verified.unwrap_or(false))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if let Some(skills) = &body.skills {
        insert_skills(conn, &id, skills).await?;
    }
    Ok(id)
}

/// Links `skills` to provider `id`.
async fn insert_skills(
    conn: &mut AnyConnection,
    id: &str,
    skills: &[String],
) -> Result<(), sqlx::Error> {
    if skills.is_empty() {
        return Ok(());
    }
    let mut sql = SqlBuilder::new("INSERT INTO provider_skills (provider_id, skill_id) VALUES ");
    let provider = sql.bind(id);
    for (i, skill) in skills.iter().enumerate() {
        let skill = sql.bind(skill.as_str());
        sql.push(&format!(
            "{}({provider}, {skill})",
            if i == 0 { "" } else { ", " }
        ));
    }
    sql.query().execute(conn).await?;
    Ok(())
}

/// Applies the fields `changes` holds to provider `id` on `conn` (the writing transaction); a
/// new display name or skill list rewrites the provider's services' search text there too.
pub async fn update(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    changes: &ProviderWrite,
) -> Result<(), sqlx::Error> {
    let mut sql = SqlBuilder::new("UPDATE providers SET updated_at = ");
    sql.push_bind(now_micros());
    if let Some(name) = &changes.display_name {
        sql.push(", display_name = ").push_bind(name.as_str());
    }
    if let Some(bio) = &changes.bio {
        sql.push(", bio = ").push_bind(bio.as_str());
    }
    if let Some(company) = &changes.company {
        sql.push(", company_id = ").push_bind(company.clone());
    }
    if let Some(rate) = changes.hourly_rate {
        sql.push(", hourly_rate_cents = ")
            .push_bind(rate.map(Money::cents));
    }
    if let Some(verified) = changes.is_verified {
        sql.push(", is_verified = ").push_bind(verified);
    }
    sql.push(" WHERE id = ").push_bind(id);
    sql.query().execute(&mut *conn).await?;
    if let Some(skills) = &changes.skills {
        sqlx::query("DELETE FROM provider_skills WHERE provider_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        insert_skills(conn, id, skills).await?;
    }
    if changes.display_name.is_some() || changes.skills.is_some() {
        search_text::refresh(conn, backend, Scope::Provider(id)).await?;
    }
    Ok(())
}

/// Sets provider `id`'s verified mark; `false` when there is no such provider.
pub async fn set_verified(db: &Db, id: &str, verified: bool) -> Result<bool, ApiError> {
    let mut conn = db.write_connection().await?;
    let done = sqlx::query("UPDATE providers SET is_verified = $1, updated_at = $2 WHERE id = $3")
        .bind(verified)
        .bind(now_micros())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
