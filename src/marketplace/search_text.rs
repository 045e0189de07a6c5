//! A service's `search_text`: what full-text search reads beside its title (SPEC §3.12: the
//! description, the skills and the provider's name; the category name too, as products carry
//! theirs). It is stored, and indexed per engine (migration 0017: FTS5 on SQLite, a tsvector on
//! PostgreSQL), so every write that changes one of its parts rewrites it in the same
//! transaction: a service's own write, a provider's rename or new skills, a category's or a
//! skill's rename.
//!
//! The provider's skill names are joined by an aggregate the two engines spell differently
//! (`group_concat` / `string_agg`): the one place here where the SQL differs.

use sqlx::AnyConnection;

use crate::db::Backend;

/// The SQL expression of `search_text` for the service row in scope (`services` unaliased).
fn expression(backend: Backend) -> String {
    let skills = match backend {
        Backend::Sqlite => "group_concat(k.name, ' ')",
        Backend::Postgres => "string_agg(k.name, ' ' ORDER BY k.name)",
    };
    format!(
        "services.description \
         || ' ' || COALESCE((SELECT p.display_name FROM providers p WHERE p.id = services.provider_id), '') \
         || ' ' || COALESCE((SELECT c.name FROM service_categories c WHERE c.id = services.category_id), '') \
         || ' ' || COALESCE((SELECT {skills} FROM provider_skills ps JOIN skills k ON k.id = ps.skill_id \
                             WHERE ps.provider_id = services.provider_id), '')"
    )
}

/// Which services to rewrite.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every service (a bulk load: `nexus seed`).
    All,
    /// One service, after its own write.
    Service(&'a str),
    /// A provider's services, after a rename or a change of skills.
    Provider(&'a str),
    /// The services in a category, after its rename.
    Category(&'a str),
    /// The services of every provider with this skill, after its rename. (A removal takes the
    /// skill's providers first and refreshes each as `Provider` once the skill is gone.)
    Skill(&'a str),
}

/// Rewrites `search_text` of the services in `scope` on `conn` (the writing transaction).
pub async fn refresh(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: Scope<'_>,
) -> Result<(), sqlx::Error> {
    let (filter, key) = match scope {
        Scope::All => ("", None),
        Scope::Service(id) => (" WHERE services.id = $1", Some(id)),
        Scope::Provider(id) => (" WHERE services.provider_id = $1", Some(id)),
        Scope::Category(id) => (" WHERE services.category_id = $1", Some(id)),
        Scope::Skill(id) => (
            " WHERE services.provider_id IN \
             (SELECT provider_id FROM provider_skills WHERE skill_id = $1)",
            Some(id),
        ),
    };
    let sql = format!(
        "UPDATE services SET search_text = {}{filter}",
        expression(backend)
    );
    let mut query = sqlx::query(&sql);
    if let Some(key) = key {
        query = query.bind(key);
    }
    query.execute(conn).await?;
    Ok(())
}
