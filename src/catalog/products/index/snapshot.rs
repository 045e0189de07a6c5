//! One consistent copy of the active catalogue, read in one transaction: every active product as
//! the list shows it (with its images' rows), the categories as `categories/` shows them, and the
//! brands, plus what the list filters and orders by, kept apart in a compact form and pre-sorted
//! by every field.

use std::{
    cmp::Ordering,
    collections::{HashMap, HashSet},
};

use super::searches;
use crate::{
    catalog::categories::{self, CategoryView},
    catalog::products::{
        filters::OrderField,
        store::{ProductRow, PRODUCT_COLUMNS, PRODUCT_NAME_JOINS},
        views::ProductView,
    },
    db::{Backend, Db},
    product_images::ImageRow,
};

/// An active product as the list shows it, and its images.
#[derive(Debug)]
pub struct Indexed {
    pub view: ProductView,
    pub images: Vec<ImageRow>,
}

/// What the list filters and orders a product by. Kept apart from [`Indexed`], small and side by
/// side, because a list reads them for every product and the views only for a page.
#[derive(Debug, Clone, Copy)]
pub struct Keys {
    pub id: i64,
    pub category_id: i64,
    pub brand_id: Option<i64>,
    pub price_cents: i64,
    pub stock_quantity: i64,
    pub is_featured: bool,
    pub created_at: i64,
    pub average_rating: f64,
    /// The product's place in the database's own `ORDER BY LOWER(p.title)` (equal titles share
    /// one), so ordering by title here agrees with the database whatever its collation.
    pub title_rank: u32,
}

/// A product row with the key the database sorts its title by.
#[derive(sqlx::FromRow)]
struct TitledRow {
    #[sqlx(flatten)]
    product: ProductRow,
    title_key: String,
}

impl Keys {
    /// This product against `other` by `field` alone, ascending.
    pub fn compare(&self, other: &Keys, field: OrderField) -> Ordering {
        match field {
            OrderField::Price => self.price_cents.cmp(&other.price_cents),
            OrderField::CreatedAt => self.created_at.cmp(&other.created_at),
            OrderField::Title => self.title_rank.cmp(&other.title_rank),
            OrderField::AverageRating => self.average_rating.total_cmp(&other.average_rating),
            OrderField::StockQuantity => self.stock_quantity.cmp(&other.stock_quantity),
        }
    }
}

/// Every field a list can be ordered by, in [`Snapshot::sorted_by`]'s order.
const ORDER_FIELDS: [OrderField; 5] = [
    OrderField::Price,
    OrderField::CreatedAt,
    OrderField::Title,
    OrderField::AverageRating,
    OrderField::StockQuantity,
];

/// The catalogue as of one catalog version.
#[derive(Debug)]
pub struct Snapshot {
    /// The catalog version read before the copy was made: the copy is at least that new.
    pub version: u64,
    /// When the copy was read.
    pub loaded_at: std::time::Instant,
    /// The products, and their keys at the same positions.
    pub products: Vec<Indexed>,
    pub keys: Vec<Keys>,
    /// For each of [`ORDER_FIELDS`], the positions by that field ascending, ties by id
    /// ascending: read forwards it is `ORDER BY field ASC, id ASC`, backwards `field DESC, id
    /// DESC`, the orders a one-field `ordering` asks the database for.
    sorted: [Vec<u32>; 5],
    /// Every category in `categories/`'s order (by name), each counting its own active products
    /// only (what the tree adds up).
    categories: Vec<CategoryView>,
    /// Each category's active products with all its descendants', at the same positions.
    category_totals: Vec<i64>,
    /// Category id → its position in `categories`.
    category_at: HashMap<i64, usize>,
    /// Category id → its children's ids.
    children: HashMap<i64, Vec<i64>>,
    category_slugs: HashMap<String, i64>,
    brand_slugs: HashMap<String, i64>,
    brand_ids: Vec<i64>,
    /// Product id → its position in `products`.
    positions: HashMap<i64, u32>,
    /// The searches ranked under this snapshot (`searches`).
    pub(super) searches: searches::Memo,
}

/// Why no snapshot was made.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0} active products, over PRODUCT_INDEX_MAX_PRODUCTS")]
    TooLarge(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Snapshot {
    /// Reads the catalogue in one transaction (repeatable read on PostgreSQL; SQLite's read
    /// transactions are snapshots), so products, images and categories agree with each other.
    pub async fn load(db: &Db, version: u64, max_products: u64) -> Result<Self, LoadError> {
        let loaded_at = std::time::Instant::now();
        let mut tx = db.pool.begin().await?;
        if db.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await?;
        }
        let active: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE is_active = TRUE",
        )
        .fetch_one(&mut *tx)
        .await?;
        if u64::try_from(active).unwrap_or(u64::MAX) > max_products {
            return Err(LoadError::TooLarge(active));
        }
        let rows: Vec<TitledRow> = sqlx::query_as(&format!(
            "SELECT {PRODUCT_COLUMNS}, LOWER(p.title) AS title_key FROM products p{PRODUCT_NAME_JOINS} \
             WHERE p.is_active = TRUE ORDER BY LOWER(p.title), p.id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut images: HashMap<i64, Vec<ImageRow>> = HashMap::new();
        for image in crate::product_images::all_image_rows(&mut tx).await? {
            images.entry(image.product_id).or_default().push(image);
        }
        let categories = categories::all_with_own_counts(&mut tx).await?;
        let brands: Vec<(i64, String)> = sqlx::query_as("SELECT id, slug FROM brands")
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;

        let mut products = Vec::with_capacity(rows.len());
        let mut title_rank = 0u32;
        let mut last_key: Option<String> = None;
        for TitledRow { product, title_key } in rows {
            if last_key.as_deref() != Some(title_key.as_str()) {
                title_rank += 1;
                last_key = Some(title_key);
            }
            let keys = Keys {
                id: product.id,
                category_id: product.category_id,
                brand_id: product.brand_id,
                price_cents: product.price_cents,
                stock_quantity: product.stock_quantity,
                is_featured: product.is_featured.into(),
                created_at: product.created_at,
                average_rating: product.average_rating,
                title_rank,
            };
            let indexed = Indexed {
                images: images.remove(&product.id).unwrap_or_default(),
                view: product.into(),
            };
            products.push((indexed, keys));
        }
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut category_slugs = HashMap::with_capacity(categories.len());
        let mut category_at = HashMap::with_capacity(categories.len());
        for (at, category) in categories.iter().enumerate() {
            if let Some(parent) = category.parent {
                children.entry(parent).or_default().push(category.id);
            }
            children.entry(category.id).or_default();
            category_slugs.insert(category.slug.clone(), category.id);
            category_at.insert(category.id, at);
        }
        let mut brand_ids: Vec<i64> = brands.iter().map(|(id, _)| *id).collect();
        brand_ids.sort_unstable();
        let mut snapshot = Self::of(products);
        snapshot.version = version;
        snapshot.loaded_at = loaded_at;
        snapshot.category_totals = categories::subtree_totals(&categories);
        snapshot.categories = categories;
        snapshot.category_at = category_at;
        snapshot.children = children;
        snapshot.category_slugs = category_slugs;
        snapshot.brand_slugs = brands.into_iter().map(|(id, slug)| (slug, id)).collect();
        snapshot.brand_ids = brand_ids;
        Ok(snapshot)
    }

    /// A snapshot of these products, pre-sorted, with no categories or brands yet.
    pub fn of(products: Vec<(Indexed, Keys)>) -> Self {
        let (products, keys): (Vec<Indexed>, Vec<Keys>) = products.into_iter().unzip();
        let sorted = ORDER_FIELDS.map(|field| {
            let mut positions: Vec<u32> = (0..keys.len() as u32).collect();
            positions.sort_unstable_by(|&a, &b| {
                let (a, b) = (&keys[a as usize], &keys[b as usize]);
                a.compare(b, field).then(a.id.cmp(&b.id))
            });
            positions
        });
        let positions = (0..).zip(&keys).map(|(at, keys)| (keys.id, at)).collect();
        Self {
            version: 0,
            loaded_at: std::time::Instant::now(),
            products,
            keys,
            sorted,
            categories: Vec::new(),
            category_totals: Vec::new(),
            category_at: HashMap::new(),
            children: HashMap::new(),
            category_slugs: HashMap::new(),
            brand_slugs: HashMap::new(),
            brand_ids: Vec::new(),
            positions,
            searches: searches::memo(),
        }
    }

    /// The position of the product `id` in `products`, if the snapshot holds it.
    pub(super) fn position(&self, id: i64) -> Option<u32> {
        self.positions.get(&id).copied()
    }

    /// The positions by `field` ascending, ties by id ascending.
    pub fn sorted_by(&self, field: OrderField) -> &[u32] {
        let at = ORDER_FIELDS
            .iter()
            .position(|&f| f == field)
            .expect("every field is sorted");
        &self.sorted[at]
    }

    /// The category named by `key` (an id, or else a slug) and all its descendants, sorted;
    /// `None` when there is no such category. As `categories::scope` answers from the database.
    pub fn scope(&self, key: &str) -> Option<Vec<i64>> {
        let root = self.category_id(key)?;
        let mut scope = vec![root];
        // A corrupt cycle still ends, as the database's `UNION` does.
        let mut seen = HashSet::from([root]);
        let mut next = 0;
        while let Some(&id) = scope.get(next) {
            next += 1;
            for &child in self.children.get(&id).into_iter().flatten() {
                if seen.insert(child) {
                    scope.push(child);
                }
            }
        }
        scope.sort_unstable();
        Some(scope)
    }

    /// The id of the category named by `key` (an id, or else a slug), if it exists.
    fn category_id(&self, key: &str) -> Option<i64> {
        match key.parse::<i64>() {
            Ok(id) => self.children.contains_key(&id).then_some(id),
            Err(_) => self.category_slugs.get(key).copied(),
        }
    }

    /// How many categories there are, and those at `offset..offset + limit` by name, each counting
    /// its subtree's active products: `categories/` as `categories::store::page` reads it.
    pub fn categories_page(&self, offset: usize, limit: usize) -> (usize, Vec<CategoryView>) {
        let end = offset.saturating_add(limit).min(self.categories.len());
        let page = (offset.min(end)..end)
            .map(|at| self.category_with_total(at))
            .collect();
        (self.categories.len(), page)
    }

    /// The category named by `key` (an id, or else a slug), counting its subtree's products.
    pub fn category(&self, key: &str) -> Option<CategoryView> {
        let at = *self.category_at.get(&self.category_id(key)?)?;
        Some(self.category_with_total(at))
    }

    /// Every category by name, each counting its own active products only: the tree adds them up.
    pub fn categories_with_own_counts(&self) -> Vec<CategoryView> {
        self.categories.clone()
    }

    fn category_with_total(&self, at: usize) -> CategoryView {
        CategoryView {
            products_count: self.category_totals[at],
            ..self.categories[at].clone()
        }
    }

    /// The id of the brand named by `key` (an id, or else a slug), if it exists; as
    /// `brands::resolve` answers from the database.
    pub fn brand(&self, key: &str) -> Option<i64> {
        match key.parse::<i64>() {
            Ok(id) => self.brand_ids.binary_search(&id).is_ok().then_some(id),
            Err(_) => self.brand_slugs.get(key).copied(),
        }
    }
}
