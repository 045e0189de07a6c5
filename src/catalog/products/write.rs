//! Staff writes on products: reading and checking the body, then insert, update or delete.

use serde_json::Value;

use crate::db::SqlBuilder;
use crate::validation::{messages::missing_reference, Form};
use crate::{
    catalog::{
        search::search_text_expr,
        slugs::{self, SlugTable},
    },
    db::{self, now_micros, Db, ResultExt, Violation},
    error::{ApiError, FieldErrors},
    inventory,
    money::Money,
};

const DUPLICATE_SLUG: &str = "product with this slug already exists.";

/// The writable fields a request set (`None` = not sent). Server-owned fields (`id`, ratings,
/// timestamps) are never read, so sending them changes nothing.
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub title: Option<String>,
    /// `Some("")` asks for a generated slug.
    pub slug: Option<String>,
    pub description: Option<String>,
    pub price: Option<Money>,
    pub category: Option<i64>,
    pub brand: Option<Option<i64>>,
    pub stock_quantity: Option<i64>,
    pub is_active: Option<bool>,
    pub is_featured: Option<bool>,
}

impl ProductChanges {
    /// Reads a POST/PUT (`partial = false`) or PATCH body, checking every rule and that the
    /// category and brand exist; all problems are reported together.
    pub async fn parse(db: &Db, body: Value, partial: bool) -> Result<Self, ApiError> {
        let mut form = Form::new(body, partial)?;
        let changes = Self {
            title: form.text("title", true, false, Some(255)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: form.text("description", false, true, None),
            price: form.money("price", true),
            category: form.reference("category", true, false).flatten(),
            brand: form.reference("brand", false, true),
            stock_quantity: form.integer("stock_quantity", false, 0..=inventory::MAX_STOCK),
            is_active: form.boolean("is_active"),
            is_featured: form.boolean("is_featured"),
        };
        if let Some(slug) = changes.slug.as_deref().filter(|s| !s.is_empty()) {
            if let Err(message) = slugs::validate(SlugTable::Products, slug) {
                form.errors.add("slug", message);
            }
        }
        if changes.price.is_some_and(|price| price.cents() <= 0) {
            form.errors.add("price", "Price must be greater than 0.");
        }
        if let Some(id) = changes.category {
            if !exists(db, "categories", id).await? {
                form.errors.add("category", missing_reference(id));
            }
        }
        if let Some(Some(id)) = changes.brand {
            if !exists(db, "brands", id).await? {
                form.errors.add("brand", missing_reference(id));
            }
        }
        form.finish(Some(()))?;
        Ok(changes)
    }
}

async fn exists(db: &Db, table: &str, id: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
    let count: i64 = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    Ok(count > 0)
}

/// Inserts a product from a complete body and returns its id. Without a slug, one is generated
/// from the title and suffixed until unique.
pub async fn create(db: &Db, changes: &ProductChanges) -> Result<i64, ApiError> {
    let title = changes.title.clone().unwrap_or_default();
    let insert = |slug: String| {
        let title = title.clone();
        async move {
            let now = now_micros();
            let sql = format!(
                "INSERT INTO products (title, slug, description, price_cents, category_id, brand_id, \
                 stock_quantity, is_active, is_featured, search_text, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {}, $10, $10) RETURNING id",
                search_text_expr("$3", "$5", "$6")
            );
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(title)
                .bind(slug)
                .bind(changes.description.clone().unwrap_or_default())
                .bind(changes.price.map(Money::cents).unwrap_or_default())
                .bind(changes.category.unwrap_or_default())
                .bind(changes.brand.flatten())
                // Stock starts at 0 and is raised through an `initial` movement (see `products::create`).
                .bind(0_i64)
                .bind(changes.is_active.unwrap_or(true))
                .bind(changes.is_featured.unwrap_or(false))
                .bind(now)
                .fetch_one(&db.pool)
                .await
        }
    };
    let result = match changes.slug.as_deref().filter(|s| !s.is_empty()) {
        Some(slug) => insert(slug.to_owned()).await,
        None => {
            let base = slugs::base_slug(SlugTable::Products, &title);
            slugs::insert_with_unique_slug(&db.pool, SlugTable::Products, &base, insert).await
        }
    };
    result.on_constraint(write_error)
}

/// Applies the fields a PUT/PATCH sent; `404` when the product is gone.
pub async fn update(db: &Db, id: i64, changes: &ProductChanges) -> Result<(), ApiError> {
    let mut sql = SqlBuilder::new("UPDATE products SET updated_at = ");
    sql.push_bind(now_micros());
    let set = |sql: &mut SqlBuilder, column: &str, value: Option<crate::db::Param>| match value {
        Some(value) => {
            let placeholder = sql.bind(value);
            sql.push(&format!(", {column} = {placeholder}"));
            placeholder
        }
        // An unchanged column keeps its own value in the search text.
        None => column.to_owned(),
    };
    set(&mut sql, "title", changes.title.clone().map(Into::into));
    if let Some(slug) = changes.slug.as_deref().filter(|s| !s.is_empty()) {
        set(&mut sql, "slug", Some(slug.into()));
    }
    let description = set(
        &mut sql,
        "description",
        changes.description.clone().map(Into::into),
    );
    set(
        &mut sql,
        "price_cents",
        changes.price.map(|p| p.cents().into()),
    );
    let category = set(&mut sql, "category_id", changes.category.map(Into::into));
    let brand = set(&mut sql, "brand_id", changes.brand.map(Into::into));
    // stock_quantity is not set here: it changes only with a recorded movement.
    set(&mut sql, "is_active", changes.is_active.map(Into::into));
    set(&mut sql, "is_featured", changes.is_featured.map(Into::into));
    if changes.description.is_some() || changes.category.is_some() || changes.brand.is_some() {
        sql.push(&format!(
            ", search_text = {}",
            search_text_expr(&description, &category, &brand)
        ));
    }
    sql.push(" WHERE id = ").push_bind(id);
    match sql.execute(&db.pool).await.on_constraint(write_error)? {
        0 => Err(ApiError::not_found()),
        _ => Ok(()),
    }
}

/// Deletes a product; one that order lines still reference (a foreign-key violation) is
/// deactivated instead, so order history stays intact. `order_items.product_id` references
/// `products` with `ON DELETE RESTRICT`, which is what makes this rule hold.
pub async fn delete(db: &Db, id: i64) -> Result<Removal, ApiError> {
    match sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
    {
        Ok(done) if done.rows_affected() == 0 => Err(ApiError::not_found()),
        Ok(_) => Ok(Removal::Deleted),
        Err(err) if db::is_foreign_key_violation(&err) => {
            tracing::info!(
                product_id = id,
                "product is referenced by orders: deactivated instead of deleted"
            );
            sqlx::query("UPDATE products SET is_active = FALSE, updated_at = $1 WHERE id = $2")
                .bind(now_micros())
                .bind(id)
                .execute(&db.pool)
                .await?;
            Ok(Removal::Deactivated)
        }
        Err(err) => Err(err.into()),
    }
}

/// What a product delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    /// Ordered before: kept for order history, hidden from customers.
    Deactivated,
}

/// A slug taken by someone else is the client's `400`; a category or brand deleted between the
/// check and the write is too. Anything else is ours.
fn write_error(violation: Violation<'_>) -> Option<ApiError> {
    match violation {
        Violation::Unique("products_slug_key") => Some(FieldErrors::single("slug", DUPLICATE_SLUG)),
        Violation::ForeignKey => Some(FieldErrors::single(
            "category",
            "The category or brand no longer exists.",
        )),
        Violation::Unique(_) => None,
    }
}
