//! Slugs for products, categories and brands (and the marketplace's service categories and
//! skills, through the catalog's front): generated from the name when not given, validated when
//! given, and made unique (`iphone-15-pro`, `iphone-15-pro-2`, ...). One implementation, so every
//! slug in the API follows the same rules (SPEC §5).
//!
//! Uniqueness is the database's job (a `UNIQUE` constraint): checking first and inserting second
//! would race, so the insert is attempted and, on a unique violation, retried with the next free
//! suffix.

use std::future::Future;

use sqlx::AnyPool;

use crate::{db, validation::messages};

/// Longest generated slug before any `-N` suffix (Django's `SlugField` default length).
const MAX_GENERATED_LEN: usize = 50;
/// Longest slug a client may send.
pub const MAX_LEN: usize = 255;
/// How many suffixes to try before giving up (only reachable under extreme contention).
const MAX_ATTEMPTS: usize = 20;

/// The tables whose rows carry a unique slug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlugTable {
    Products,
    Categories,
    Brands,
    /// The marketplace's `service_categories`.
    ServiceCategories,
    /// The marketplace's `skills`.
    Skills,
}

impl SlugTable {
    fn name(self) -> &'static str {
        match self {
            Self::Products => "products",
            Self::Categories => "categories",
            Self::Brands => "brands",
            Self::ServiceCategories => "service_categories",
            Self::Skills => "skills",
        }
    }

    /// The unique constraint on the table's slug, as `db::unique_constraint` names it.
    fn slug_constraint(self) -> &'static str {
        match self {
            Self::Products => "products_slug_key",
            Self::Categories => "categories_slug_key",
            Self::Brands => "brands_slug_key",
            Self::ServiceCategories => "service_categories_slug_key",
            Self::Skills => "skills_slug_key",
        }
    }

    /// Slugs that would be shadowed by a fixed route (`products/search/`), hence never generated.
    fn reserved(self) -> &'static [&'static str] {
        match self {
            Self::Products => &["search", "featured", "latest"],
            Self::Categories | Self::Brands | Self::ServiceCategories | Self::Skills => &[],
        }
    }

    /// What a name without any letter or digit becomes (`"!!!"` → `product`).
    fn fallback(self) -> &'static str {
        match self {
            Self::Products => "product",
            Self::Categories => "category",
            Self::Brands => "brand",
            Self::ServiceCategories => "category",
            Self::Skills => "skill",
        }
    }
}

/// The slug generated from `name`, before uniqueness is considered.
pub fn base_slug(table: SlugTable, name: &str) -> String {
    let mut slug = slug::slugify(name);
    if slug.len() > MAX_GENERATED_LEN {
        // slugify output is ASCII, so any byte index is a char boundary.
        slug.truncate(MAX_GENERATED_LEN);
        slug = slug.trim_end_matches('-').to_owned();
    }
    if slug.is_empty() {
        return table.fallback().to_owned();
    }
    if table.reserved().contains(&slug.as_str()) {
        return format!("{slug}-2");
    }
    if is_numeric(&slug) {
        // Paths take an id or a slug; an all-digit slug would read as an id.
        return format!("{}-{slug}", table.fallback());
    }
    slug
}

fn is_numeric(slug: &str) -> bool {
    slug.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a slug a client sent; the error is the DRF message.
pub fn validate(table: SlugTable, slug: &str) -> Result<(), String> {
    if slug.chars().count() > MAX_LEN {
        return Err(messages::max_length(MAX_LEN));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(messages::INVALID_SLUG.to_owned());
    }
    if is_numeric(slug) {
        return Err("A slug must contain at least one letter.".to_owned());
    }
    if table.reserved().contains(&slug) {
        return Err(format!("\"{slug}\" is reserved for another route."));
    }
    Ok(())
}

/// Inserts a row with the slug the client `given` (a clash is then the client's field error) or,
/// when none or a blank one was given, with one generated from `name` and made unique.
pub async fn insert_with_slug<T, F, Fut>(
    pool: &AnyPool,
    table: SlugTable,
    given: Option<&str>,
    name: &str,
    mut insert: F,
) -> Result<T, sqlx::Error>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    match given.filter(|slug| !slug.is_empty()) {
        Some(slug) => insert(slug.to_owned()).await,
        None => insert_with_unique_slug(pool, table, &base_slug(table, name), insert).await,
    }
}

/// Runs `insert` with `base`, then `base-2`, `base-3`, ... until it does not hit the slug's
/// unique constraint (any other error, another constraint's included, is returned as is). After a collision the next candidate comes from the highest suffix in use, so a
/// hundred "Lamp"s cost two attempts, not a hundred.
async fn insert_with_unique_slug<T, F, Fut>(
    pool: &AnyPool,
    table: SlugTable,
    base: &str,
    mut insert: F,
) -> Result<T, sqlx::Error>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut candidate = base.to_owned();
    let mut last_error = None;
    for _ in 0..MAX_ATTEMPTS {
        match insert(candidate.clone()).await {
            Err(err) if db::unique_constraint(&err).as_deref() == Some(table.slug_constraint()) => {
                candidate = with_suffix(base, next_suffix(pool, table, base).await?);
                last_error = Some(err);
            }
            other => return other,
        }
    }
    Err(last_error.unwrap_or(sqlx::Error::RowNotFound))
}

/// One more than the highest `-N` suffix already used after `base` (at least 2).
async fn next_suffix(pool: &AnyPool, table: SlugTable, base: &str) -> Result<u64, sqlx::Error> {
    // `LIKE` may over-match (`_` is a wildcard); the suffix is parsed exactly below.
    let sql = format!("SELECT slug FROM {} WHERE slug LIKE $1", table.name());
    let taken: Vec<String> = sqlx::query_scalar(&sql)
        .bind(format!("{base}-%"))
        .fetch_all(pool)
        .await?;
    Ok(highest_suffix(base, &taken) + 1)
}

fn highest_suffix(base: &str, taken: &[String]) -> u64 {
    taken
        .iter()
        .filter_map(|slug| {
            slug.strip_prefix(base)?
                .strip_prefix('-')?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(1)
        .max(1)
}

fn with_suffix(base: &str, n: u64) -> String {
    format!("{base}-{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_slugs_are_lowercase_ascii_words() {
        assert_eq!(
            base_slug(SlugTable::Products, "iPhone 15 Pro!"),
            "iphone-15-pro"
        );
        assert_eq!(
            base_slug(SlugTable::Categories, "Café & Crème"),
            "cafe-creme"
        );
        assert_eq!(base_slug(SlugTable::Brands, "!!!"), "brand");
        assert_eq!(base_slug(SlugTable::Products, "Search"), "search-2");
        assert_eq!(base_slug(SlugTable::Categories, "2024"), "category-2024");
        let long = base_slug(SlugTable::Products, &"word ".repeat(30));
        assert!(
            long.len() <= MAX_GENERATED_LEN && !long.ends_with('-'),
            "{long}"
        );
    }

    #[test]
    fn given_slugs_must_be_slug_characters() {
        assert!(validate(SlugTable::Products, "red_lamp-2").is_ok());
        assert!(validate(SlugTable::Products, "red lamp")
            .unwrap_err()
            .contains("valid “slug”"));
        assert!(validate(SlugTable::Products, "featured").is_err());
        assert!(validate(SlugTable::Brands, "123").is_err());
        assert!(validate(SlugTable::Categories, "featured").is_ok());
        assert!(validate(SlugTable::Skills, "rust").is_ok());
        assert_eq!(base_slug(SlugTable::Skills, "?"), "skill");
        assert_eq!(base_slug(SlugTable::ServiceCategories, "42"), "category-42");
    }

    #[test]
    fn the_next_suffix_follows_the_highest_in_use() {
        let taken = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(highest_suffix("lamp", &taken(&[])), 1);
        assert_eq!(
            highest_suffix(
                "lamp",
                &taken(&["lamp-2", "lamp-10", "lamp-shade", "lamp-x-3"])
            ),
            10
        );
        assert_eq!(with_suffix("lamp", 2), "lamp-2");
    }
}
