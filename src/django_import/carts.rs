//! Django carts → `carts`, `cart_items`: one cart per user and one line per product, as Nexus'
//! unique constraints require, merging the duplicates real Django databases have.

use std::collections::HashMap;

use super::{report::Report, source::Source, values::micros, Kept, Rows, UNREADABLE_DATE};
use crate::{db::Param, inventory::MAX_LINE_QUANTITY};

const CARTS: &str = "cart_cart";
const ITEMS: &str = "cart_cartitem";

#[derive(Debug, sqlx::FromRow)]
pub struct Cart {
    pub id: i64,
    pub user_id: Option<i64>,
    pub created_at: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub cart_id: i64,
    pub product_id: i64,
    pub quantity: i64,
}

/// Reads and plans carts, then their lines.
pub async fn import(
    source: &mut Source,
    kept: &Kept,
    report: &mut Report,
) -> anyhow::Result<Vec<Rows>> {
    let carts: Vec<Cart> = source
        .read(
            CARTS,
            "SELECT id, user_id, CAST(created_at AS TEXT) AS created_at FROM cart_cart ORDER BY id",
        )
        .await?;
    let items: Vec<Item> = source
        .read(
            ITEMS,
            "SELECT id, cart_id, product_id, CAST(quantity AS BIGINT) AS quantity \
             FROM cart_cartitem ORDER BY id",
        )
        .await?;
    Ok(Vec::from(plan(carts, items, kept, report)))
}

pub fn plan(carts: Vec<Cart>, items: Vec<Item>, kept: &Kept, report: &mut Report) -> [Rows; 2] {
    report.read(CARTS, carts.len());
    report.read(ITEMS, items.len());
    // Django cart id → the Nexus cart it becomes (its user's oldest) and that cart's creation.
    let mut merged_into: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut oldest_of_user: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut cart_rows = Vec::new();
    let mut carts_merged = 0;
    for cart in carts {
        let Some(user_id) = cart.user_id else {
            report.skip(CARTS, cart.id, "no user (anonymous cart)");
            continue;
        };
        if !kept.users.contains(&user_id) {
            report.skip(CARTS, cart.id, "its user was not imported");
            continue;
        }
        let Some(created_at) = micros(&cart.created_at) else {
            report.skip(CARTS, cart.id, UNREADABLE_DATE);
            continue;
        };
        // Carts are read oldest id first, so the first one seen is the one that stays.
        let target = *oldest_of_user.entry(user_id).or_insert_with(|| {
            cart_rows.push(vec![
                Param::Int(cart.id),
                Param::Int(user_id),
                Param::Int(created_at),
                Param::Int(created_at),
            ]);
            (cart.id, created_at)
        });
        if target.0 != cart.id {
            carts_merged += 1;
        }
        merged_into.insert(cart.id, target);
    }
    report.written(CARTS, cart_rows.len());
    report.adjust(CARTS, "merged into the user's oldest cart", carts_merged);

    // (cart, product) → index of its line in `lines`: each line is the first Django line for
    // that product, moved to the merged cart, with its cart's creation time.
    let mut line_of: HashMap<(i64, i64), usize> = HashMap::new();
    let mut lines: Vec<(Item, i64)> = Vec::new();
    let (mut lines_merged, mut capped) = (0, 0);
    for item in items {
        let Some(&(cart_id, created_at)) = merged_into.get(&item.cart_id) else {
            report.skip(ITEMS, item.id, "its cart was not imported");
            continue;
        };
        if !kept.products.contains_key(&item.product_id) {
            report.skip(ITEMS, item.id, "its product was not imported");
            continue;
        }
        if item.quantity <= 0 {
            report.skip(ITEMS, item.id, "quantity is 0");
            continue;
        }
        match line_of.get(&(cart_id, item.product_id)) {
            Some(&index) => {
                lines[index].0.quantity += item.quantity;
                lines_merged += 1;
            }
            None => {
                line_of.insert((cart_id, item.product_id), lines.len());
                lines.push((Item { cart_id, ..item }, created_at));
            }
        }
    }
    let item_rows: Vec<Vec<Param>> = lines
        .into_iter()
        .map(|(line, created_at)| {
            if line.quantity > MAX_LINE_QUANTITY {
                capped += 1;
            }
            vec![
                Param::Int(line.id),
                Param::Int(line.cart_id),
                Param::Int(line.product_id),
                Param::Int(line.quantity.min(MAX_LINE_QUANTITY)),
                Param::Int(created_at),
            ]
        })
        .collect();
    report.written(ITEMS, item_rows.len());
    report.adjust(
        ITEMS,
        "merged into a line for the same product",
        lines_merged,
    );
    report.adjust(ITEMS, "quantity capped at 10000", capped);
    [
        Rows {
            table: "carts",
            columns: &["id", "user_id", "created_at", "updated_at"],
            rows: cart_rows,
        },
        Rows {
            table: "cart_items",
            columns: &["id", "cart_id", "product_id", "quantity", "created_at"],
            rows: item_rows,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cart(id: i64, user_id: Option<i64>) -> Cart {
        Cart {
            id,
            user_id,
            created_at: "2024-05-06 07:08:09".into(),
        }
    }

    fn item(id: i64, cart_id: i64, product_id: i64, quantity: i64) -> Item {
        Item {
            id,
            cart_id,
            product_id,
            quantity,
        }
    }

    #[test]
    fn duplicate_carts_and_lines_merge_into_the_oldest_with_quantities_summed() {
        let mut kept = Kept::default();
        kept.users.insert(1);
        kept.products.insert(7, "Lamp".into());
        kept.products.insert(8, "Desk".into());
        let mut report = Report::default();
        let [carts, items] = plan(
            vec![
                cart(10, Some(1)),
                cart(11, Some(1)),
                cart(12, None),
                cart(13, Some(2)),
            ],
            vec![
                item(100, 10, 7, 2),
                item(101, 11, 7, 3),
                item(102, 10, 7, 1),
                item(103, 11, 8, 0),
                item(104, 12, 7, 1),
                item(105, 10, 9, 1),
                item(106, 11, 8, 20_000),
            ],
            &kept,
            &mut report,
        );
        assert_eq!(carts.rows.len(), 1);
        assert_eq!(carts.rows[0][0], Param::Int(10));
        let lines: Vec<(Param, Param, Param)> = items
            .rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[3].clone()))
            .collect();
        assert_eq!(
            lines,
            [
                (Param::Int(100), Param::Int(10), Param::Int(6)),
                (Param::Int(106), Param::Int(10), Param::Int(10_000)),
            ]
        );
        assert_eq!(report.skipped_ids(CARTS, "no user (anonymous cart)"), [12]);
        assert_eq!(report.skipped_ids(CARTS, "its user was not imported"), [13]);
        assert_eq!(report.skipped_ids(ITEMS, "quantity is 0"), [103]);
        assert_eq!(
            report.skipped_ids(ITEMS, "its cart was not imported"),
            [104]
        );
        assert_eq!(
            report.skipped_ids(ITEMS, "its product was not imported"),
            [105]
        );
    }
}
