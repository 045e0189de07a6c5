//! Categories (three levels), brands and products.

use std::collections::HashMap;

use rand::{seq::SliceRandom, Rng};
use rand_chacha::ChaCha8Rng;
use sqlx::AnyConnection;

use super::{insert_rows, names, orders, phase, Summary, DAY};
use crate::{catalog::search_text, db::Param, inventory::reason};

#[derive(Debug)]
pub struct Category {
    pub name: String,
    pub slug: String,
    pub parent: Option<usize>,
    /// Nouns of products in this category (empty above the leaves).
    pub nouns: &'static [&'static str],
}

#[derive(Debug)]
pub struct Product {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub price_cents: i64,
    pub category: usize,
    pub brand: Option<usize>,
    /// Stock when created (the `initial` movement); orders take from it.
    pub initial_stock: i64,
    pub active: bool,
    pub featured: bool,
    pub created_at: i64,
}

#[derive(Debug)]
pub struct Plan {
    pub categories: Vec<Category>,
    pub brands: Vec<String>,
    pub products: Vec<Product>,
}

/// Database ids, by plan index.
#[derive(Debug)]
pub struct Ids {
    pub products: Vec<i64>,
}

pub fn plan(rng: &mut ChaCha8Rng, products: usize, start: i64) -> Plan {
    let mut categories = Vec::new();
    let mut leaves = Vec::new();
    for department in &names::DEPARTMENTS {
        let top = categories.len();
        categories.push(Category {
            name: department.name.to_owned(),
            slug: slug::slugify(department.name),
            parent: None,
            nouns: &[],
        });
        for (sub_name, sub_leaves) in &department.subcategories {
            let sub = categories.len();
            categories.push(Category {
                name: (*sub_name).to_owned(),
                slug: format!(
                    "{}-{}",
                    slug::slugify(department.name),
                    slug::slugify(sub_name)
                ),
                parent: Some(top),
                nouns: &[],
            });
            for (leaf_name, nouns) in sub_leaves {
                leaves.push(categories.len());
                categories.push(Category {
                    name: (*leaf_name).to_owned(),
                    slug: format!(
                        "{}-{}-{}",
                        slug::slugify(department.name),
                        slug::slugify(sub_name),
                        slug::slugify(leaf_name)
                    ),
                    parent: Some(sub),
                    nouns,
                });
            }
        }
    }
    let brands: Vec<String> = names::BRAND_PREFIXES
        .iter()
        .flat_map(|p| {
            names::BRAND_SUFFIXES
                .iter()
                .map(move |s| format!("{p} {s}"))
        })
        .collect();

    let products = (0..products)
        .map(|i| {
            let category = leaves[rng.gen_range(0..leaves.len())];
            let noun = *categories[category].nouns.choose(rng).unwrap_or(&"Item");
            // One product in ten is unbranded.
            let brand = rng.gen_bool(0.9).then(|| rng.gen_range(0..brands.len()));
            let adjective = *names::ADJECTIVES.choose(rng).unwrap_or(&"Classic");
            let colour = *names::COLOURS.choose(rng).unwrap_or(&"Black");
            let material = *names::MATERIALS.choose(rng).unwrap_or(&"oak");
            let model = rng.gen_range(100..1000);
            let brand_word = brand
                .map(|b| brands[b].split(' ').next().unwrap_or_default().to_owned())
                .unwrap_or_else(|| "Essentials".to_owned());
            let title = format!("{brand_word} {adjective} {noun} {model} {colour}");
            let mut features: Vec<&str> =
                names::FEATURES.choose_multiple(rng, 2).copied().collect();
            features.sort_unstable();
            let description = format!(
                "The {title} is a {} {} made with {material}. {}. {}. Ideal for {}.",
                adjective.to_lowercase(),
                noun.to_lowercase(),
                features[0],
                features[1],
                names::USES.choose(rng).unwrap_or(&"everyday use"),
            );
            // Log-uniform prices from 1.00 to 2,000.00, ending in .99 (or .00 for round ones).
            let raw = (rng.gen_range((100f64).ln()..(200_000f64).ln())).exp() as i64;
            let price_cents = if rng.gen_bool(0.2) {
                (raw / 100).max(1) * 100
            } else {
                (raw / 100) * 100 + 99
            }
            .clamp(100, 200_000);
            let initial_stock = if rng.gen_bool(0.05) {
                0
            } else {
                rng.gen_range(1..=500)
            };
            Product {
                slug: format!("{}-{:05}", slug::slugify(&title), i + 1),
                title,
                description,
                price_cents,
                category,
                brand,
                initial_stock,
                active: !rng.gen_bool(0.03),
                featured: rng.gen_bool(0.08),
                created_at: start + rng.gen_range(0..30 * DAY),
            }
        })
        .collect();
    Plan {
        categories,
        brands,
        products,
    }
}

/// Writes categories, brands, products (with their stock after the planned orders) and each
/// product's `initial` stock movement.
pub async fn write(
    conn: &mut AnyConnection,
    plan: &Plan,
    orders: &orders::Plan,
    summary: &mut Summary,
) -> anyhow::Result<Ids> {
    let taxonomy = write_taxonomy(conn, plan).await?;
    summary.categories = taxonomy.categories.len();
    summary.brands = taxonomy.brands.len();
    let products = write_products(conn, plan, orders, &taxonomy).await?;
    summary.products = products.len();
    summary.stock_movements += write_initial_stock(conn, plan, &products).await?;
    Ok(Ids { products })
}

/// Category and brand ids, by plan index.
struct Taxonomy {
    categories: Vec<i64>,
    brands: Vec<i64>,
}

/// One row at a time (there are few): a category's parent id is known only once it is written.
/// Both date from the first product, so the catalogue never predates its taxonomy.
async fn write_taxonomy(conn: &mut AnyConnection, plan: &Plan) -> anyhow::Result<Taxonomy> {
    let bar = phase(
        "catalog",
        (plan.categories.len() + plan.brands.len()) as u64,
    );
    let mut category_ids: Vec<i64> = Vec::with_capacity(plan.categories.len());
    let created = plan
        .products
        .iter()
        .map(|p| p.created_at)
        .min()
        .unwrap_or(0);
    for category in &plan.categories {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO categories (name, slug, description, parent_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&category.name)
        .bind(&category.slug)
        .bind(format!("{} for every budget.", category.name))
        .bind(category.parent.map(|p| category_ids[p]))
        .bind(created)
        .fetch_one(&mut *conn)
        .await?;
        category_ids.push(id);
        bar.inc(1);
    }
    let mut brand_ids = Vec::with_capacity(plan.brands.len());
    for brand in &plan.brands {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO brands (name, slug, description, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(brand)
        .bind(slug::slugify(brand))
        .bind(format!("{brand} makes things people keep."))
        .bind(created)
        .fetch_one(&mut *conn)
        .await?;
        brand_ids.push(id);
        bar.inc(1);
    }
    bar.finish();
    Ok(Taxonomy {
        categories: category_ids,
        brands: brand_ids,
    })
}

/// Writes the products with their stock after the planned orders; returns their ids by plan
/// index (read back by slug: a multi-row INSERT returns no ids on both engines alike).
async fn write_products(
    conn: &mut AnyConnection,
    plan: &Plan,
    orders: &orders::Plan,
    taxonomy: &Taxonomy,
) -> anyhow::Result<Vec<i64>> {
    let bar = phase("products", plan.products.len() as u64);
    let rows = plan
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // What src/catalog writes: description, category name, brand name.
            let search_text = search_text(
                &p.description,
                &plan.categories[p.category].name,
                p.brand.map(|b| plan.brands[b].as_str()),
            );
            vec![
                Param::Text(p.title.clone()),
                Param::Text(p.slug.clone()),
                Param::Text(p.description.clone()),
                Param::Int(p.price_cents),
                Param::Int(taxonomy.categories[p.category]),
                Param::from(p.brand.map(|b| taxonomy.brands[b])),
                Param::Int(p.initial_stock - orders.sold[i]),
                Param::Bool(p.active),
                Param::Bool(p.featured),
                Param::Text(search_text),
                Param::Int(p.created_at),
                Param::Int(p.created_at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "products",
        &[
            "title",
            "slug",
            "description",
            "price_cents",
            "category_id",
            "brand_id",
            "stock_quantity",
            "is_active",
            "is_featured",
            "search_text",
            "created_at",
            "updated_at",
        ],
        rows,
        &bar,
    )
    .await?;
    bar.finish();
    let by_slug: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM products")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    Ok(plan.products.iter().map(|p| by_slug[&p.slug]).collect())
}

/// Writes the `initial` movement of every product created with stock; returns how many.
async fn write_initial_stock(
    conn: &mut AnyConnection,
    plan: &Plan,
    products: &[i64],
) -> anyhow::Result<usize> {
    let bar = phase("stock", plan.products.len() as u64);
    let rows: Vec<Vec<Param>> = plan
        .products
        .iter()
        .zip(products)
        .filter(|(p, _)| p.initial_stock > 0)
        .map(|(p, id)| {
            vec![
                Param::Int(*id),
                Param::Int(p.initial_stock),
                Param::Text(reason::INITIAL.to_owned()),
                Param::Int(p.created_at),
            ]
        })
        .collect();
    let written = rows.len();
    bar.inc((plan.products.len() - written) as u64);
    insert_rows(
        conn,
        "stock_movements",
        &["product_id", "delta", "reason", "created_at"],
        rows,
        &bar,
    )
    .await?;
    bar.finish();
    Ok(written)
}
