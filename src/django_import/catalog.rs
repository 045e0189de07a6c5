//! Django categories and products → `categories`, `products` (with their `initial` stock
//! movement), and the image paths `media.rs` turns into `product_images`.

use super::{
    report::Report,
    source::Source,
    values::{cents, micros},
    Kept, Rows, UNREADABLE_DATE,
};
use crate::{
    catalog::search_text,
    db::{Flag, Param},
    inventory::{reason, MAX_STOCK},
};

const CATEGORIES: &str = "catalog_category";
const PRODUCTS: &str = "catalog_product";

#[derive(Debug, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub created_at: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub description: String,
    pub price: String,
    pub category_id: i64,
    pub stock_quantity: i64,
    pub image: Option<String>,
    pub is_active: Flag,
    pub created_at: String,
    pub updated_at: String,
}

/// A kept product's image path under Django's `MEDIA_ROOT`.
#[derive(Debug)]
pub struct Image {
    pub product_id: i64,
    pub path: String,
    pub created_at: i64,
}

/// Reads and plans categories, then products; returns their rows and the products' images.
pub async fn import(
    source: &mut Source,
    kept: &mut Kept,
    report: &mut Report,
) -> anyhow::Result<(Vec<Rows>, Vec<Image>)> {
    let categories: Vec<Category> = source
        .read(
            CATEGORIES,
            "SELECT id, name, slug, description, CAST(created_at AS TEXT) AS created_at \
             FROM catalog_category ORDER BY id",
        )
        .await?;
    let products: Vec<Product> = source
        .read(
            PRODUCTS,
            "SELECT id, title, slug, description, CAST(price AS TEXT) AS price, category_id, \
             CAST(stock_quantity AS BIGINT) AS stock_quantity, image, \
             CASE WHEN is_active THEN 1 ELSE 0 END AS is_active, \
             CAST(created_at AS TEXT) AS created_at, CAST(updated_at AS TEXT) AS updated_at \
             FROM catalog_product ORDER BY id",
        )
        .await?;
    let categories = plan_categories(categories, kept, report);
    let (products, movements, images) = plan_products(products, kept, report);
    Ok((vec![categories, products, movements], images))
}

/// Every category, as a root (Django's are flat).
pub fn plan_categories(categories: Vec<Category>, kept: &mut Kept, report: &mut Report) -> Rows {
    report.read(CATEGORIES, categories.len());
    let mut rows = Vec::with_capacity(categories.len());
    for category in categories {
        let Some(created_at) = micros(&category.created_at) else {
            report.skip(CATEGORIES, category.id, UNREADABLE_DATE);
            continue;
        };
        kept.categories.insert(category.id, category.name.clone());
        rows.push(vec![
            Param::Int(category.id),
            Param::Text(category.name),
            Param::Text(category.slug),
            Param::Text(category.description),
            Param::Int(created_at),
        ]);
    }
    report.written(CATEGORIES, rows.len());
    Rows {
        table: "categories",
        columns: &["id", "name", "slug", "description", "created_at"],
        rows,
    }
}

/// Why Nexus would refuse `product` (its price in cents when it would not).
fn refusal(product: &Product, kept: &Kept) -> Result<i64, &'static str> {
    let price = cents(&product.price).ok_or("price is not a valid amount")?;
    if price <= 0 {
        return Err("price must be greater than 0");
    }
    if product.title.trim().is_empty() {
        return Err("title is empty");
    }
    if !kept.categories.contains_key(&product.category_id) {
        return Err("its category was not imported");
    }
    if !(0..=MAX_STOCK).contains(&product.stock_quantity) {
        return Err("stock_quantity is above 1000000000");
    }
    Ok(price)
}

/// Products Nexus accepts, each with an `initial` movement of its stock (stock = Σ movements),
/// and the image paths of those that have one.
pub fn plan_products(
    products: Vec<Product>,
    kept: &mut Kept,
    report: &mut Report,
) -> (Rows, Rows, Vec<Image>) {
    report.read(PRODUCTS, products.len());
    let mut rows = Vec::with_capacity(products.len());
    let mut movements = Vec::with_capacity(products.len());
    let mut images = Vec::new();
    for product in products {
        let price = match refusal(&product, kept) {
            Ok(price) => price,
            Err(reason) => {
                report.skip(PRODUCTS, product.id, reason);
                continue;
            }
        };
        let (Some(created_at), Some(updated_at)) =
            (micros(&product.created_at), micros(&product.updated_at))
        else {
            report.skip(PRODUCTS, product.id, UNREADABLE_DATE);
            continue;
        };
        let category = &kept.categories[&product.category_id];
        if product.stock_quantity > 0 {
            movements.push(vec![
                Param::Int(product.id),
                Param::Int(product.stock_quantity),
                Param::from(reason::INITIAL),
                Param::Int(created_at),
            ]);
        }
        if let Some(path) = product.image.as_deref().map(str::trim) {
            if !path.is_empty() {
                images.push(Image {
                    product_id: product.id,
                    path: path.to_owned(),
                    created_at,
                });
            }
        }
        rows.push(vec![
            Param::Int(product.id),
            Param::Text(product.title.clone()),
            Param::Text(product.slug),
            Param::Text(search_text(&product.description, category, None)),
            Param::Text(product.description),
            Param::Int(price),
            Param::Int(product.category_id),
            Param::Int(product.stock_quantity),
            Param::Bool(product.is_active.0),
            Param::Int(created_at),
            Param::Int(updated_at),
        ]);
        kept.products.insert(product.id, product.title);
    }
    report.written(PRODUCTS, rows.len());
    let products = Rows {
        table: "products",
        columns: &[
            "id",
            "title",
            "slug",
            "search_text",
            "description",
            "price_cents",
            "category_id",
            "stock_quantity",
            "is_active",
            "created_at",
            "updated_at",
        ],
        rows,
    };
    let movements = Rows {
        table: "stock_movements",
        columns: &["product_id", "delta", "reason", "created_at"],
        rows: movements,
    };
    (products, movements, images)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, price: &str, title: &str) -> Product {
        Product {
            id,
            title: title.into(),
            slug: format!("p-{id}"),
            description: "Desc".into(),
            price: price.into(),
            category_id: 1,
            stock_quantity: 4,
            image: Some(String::new()),
            is_active: Flag(true),
            created_at: "2024-01-02 03:04:05".into(),
            updated_at: "2024-01-02 03:04:05".into(),
        }
    }

    #[test]
    fn products_nexus_would_refuse_are_skipped_with_the_reason() {
        let mut kept = Kept::default();
        kept.categories.insert(1, "Phones".into());
        let mut report = Report::default();
        let mut orphan = product(5, "3.00", "Orphan");
        orphan.category_id = 99;
        let (rows, movements, images) = plan_products(
            vec![
                product(1, "19.99", "Phone"),
                product(2, "-5.00", "Refund line"),
                product(3, "0", "Free"),
                product(4, "9.99", "  "),
                orphan,
            ],
            &mut kept,
            &mut report,
        );
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(movements.rows.len(), 1, "the kept product's initial stock");
        assert!(images.is_empty(), "an empty image path is no image");
        assert_eq!(
            report.skipped_ids(PRODUCTS, "price must be greater than 0"),
            [2, 3]
        );
        assert_eq!(report.skipped_ids(PRODUCTS, "title is empty"), [4]);
        assert_eq!(
            report.skipped_ids(PRODUCTS, "its category was not imported"),
            [5]
        );
        assert_eq!(kept.products.keys().copied().collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn the_search_text_is_what_the_catalog_writes() {
        let mut kept = Kept::default();
        kept.categories.insert(1, "Phones".into());
        let (rows, _, _) = plan_products(
            vec![product(1, "19.99", "Phone")],
            &mut kept,
            &mut Report::default(),
        );
        assert_eq!(rows.rows[0][3], Param::from("Desc Phones "));
    }
}
