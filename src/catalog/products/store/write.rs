//! Staff writes on products: insert, update, and delete (or deactivate when ordered before).

use crate::{
    catalog::{
        products::request::ProductWrite,
        search::search_text_expr,
        slugs::{self, SlugTable},
    },
    db::{now_micros, Db, Param, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    money::Money,
    validation::messages,
};

/// A slug taken by someone else is the client's `400`; a category or brand deleted between the
/// check and the write is too. Any other violation is ours.
fn violation_error(violation: Violation<'_>) -> Option<ApiError> {
    match violation {
        Violation::Unique("products_slug_key") => Some(FieldErrors::single(
            "slug",
            messages::already_exists("product", "slug"),
        )),
        Violation::ForeignKey => Some(FieldErrors::single(
            "category",
            "The category or brand no longer exists.",
        )),
        Violation::Unique(_) => None,
    }
}

/// Inserts a product from a complete body, with no stock, and returns its id. Without a slug,
/// one is generated from the title and suffixed until unique.
pub async fn insert(db: &Db, product: &ProductWrite) -> Result<i64, ApiError> {
    let title = product.title.clone().unwrap_or_default();
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
                .bind(product.description.clone().unwrap_or_default())
                .bind(product.price.map(Money::cents).unwrap_or_default())
                .bind(product.category.unwrap_or_default())
                .bind(product.brand.flatten())
                // Stock starts at 0 and is raised through an `initial` movement (see `service::create`).
                .bind(0_i64)
                .bind(product.is_active.unwrap_or(true))
                .bind(product.is_featured.unwrap_or(false))
                .bind(now)
                .fetch_one(&db.pool)
                .await
        }
    };
    slugs::insert_with_slug(
        &db.pool,
        SlugTable::Products,
        product.slug.as_deref(),
        &title,
        insert,
    )
    .await
    .on_constraint(violation_error)
}

/// Applies the fields a PUT/PATCH sent (stock excepted); `404` when the product is gone.
pub async fn update(db: &Db, id: i64, changes: &ProductWrite) -> Result<(), ApiError> {
    let mut sql = SqlBuilder::new("UPDATE products SET updated_at = ");
    sql.push_bind(now_micros());
    let set = |sql: &mut SqlBuilder, column: &str, value: Option<Param>| match value {
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
    match sql.execute(&db.pool).await.on_constraint(violation_error)? {
        0 => Err(ApiError::not_found()),
        _ => Ok(()),
    }
}

/// What a product delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    /// Ordered before: kept for order history, hidden from customers.
    Deactivated,
}

/// Why a `DELETE` didn't remove the row.
enum Kept {
    /// Order lines still refer to it.
    Ordered,
    Failed(sqlx::Error),
}

impl From<sqlx::Error> for Kept {
    fn from(err: sqlx::Error) -> Self {
        Self::Failed(err)
    }
}

/// Deletes a product; one that order lines still reference (a foreign-key violation) is
/// deactivated instead, so order history stays intact. `order_items.product_id` references
/// `products` with `ON DELETE RESTRICT`, which is what makes this rule hold.
pub async fn delete(db: &Db, id: i64) -> Result<Removal, ApiError> {
    let deleted = sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
        .on_constraint(|violation| (violation == Violation::ForeignKey).then_some(Kept::Ordered));
    match deleted {
        Ok(done) if done.rows_affected() == 0 => Err(ApiError::not_found()),
        Ok(_) => Ok(Removal::Deleted),
        Err(Kept::Ordered) => {
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
        Err(Kept::Failed(err)) => Err(err.into()),
    }
}
