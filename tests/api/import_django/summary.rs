//! The summary the command prints — one line per Django table (read, written, skipped), a
//! "Skipped" section (table, reason, count, first ids) and an "Adjusted" section (table, what
//! was changed, count) — read by substrings and numbers rather than exact whitespace; and the
//! fixture shop's expected summary.

use std::process::Output;

use super::*;
use crate::api_test;

/// The command's stdout, parsed on demand.
pub struct Summary {
    pub stdout: String,
}

impl Summary {
    pub fn of(output: &Output) -> Summary {
        Summary {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        }
    }

    /// The `[read, written, skipped]` of `table`'s line in the table.
    pub fn row(&self, table: &str) -> [i64; 3] {
        self.stdout
            .lines()
            .filter_map(|line| after_name(line, table))
            .find_map(|rest| {
                let numbers: Vec<i64> = rest
                    .split_whitespace()
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .ok()?;
                <[i64; 3]>::try_from(numbers).ok()
            })
            .unwrap_or_else(|| panic!("no summary line for {table}:\n{}", self.stdout))
    }

    /// The count and listed ids of the Skipped line for `table` and `reason`.
    pub fn skipped(&self, table: &str, reason: &str) -> (i64, Vec<i64>) {
        let line = self
            .section("Skipped")
            .lines()
            .filter(|line| after_name(line, table).is_some())
            .find_map(|line| line.find(reason).map(|at| &line[at + reason.len()..]))
            .unwrap_or_else(|| panic!("no {table} skip {reason:?}:\n{}", self.stdout));
        let mut numbers = integers(line).into_iter();
        let count = numbers.next().expect("a count after the reason");
        (count, numbers.collect())
    }

    /// Whether any Skipped line names `reason` (for reasons that must not appear).
    pub fn mentions_skip(&self, table: &str, reason: &str) -> bool {
        self.section("Skipped")
            .lines()
            .any(|line| after_name(line, table).is_some() && line.contains(reason))
    }

    /// The total of the Adjusted lines of `table` that mention `words` (case-insensitive): each
    /// line is `<table>  <what was changed>: <count>`.
    pub fn adjusted(&self, table: &str, words: &str) -> i64 {
        let words = words.to_lowercase();
        let counts: Vec<i64> = self
            .section("Adjusted")
            .lines()
            .filter(|line| after_name(line, table).is_some())
            .filter(|line| line.to_lowercase().contains(&words))
            .filter_map(|line| integers(line.rsplit_once(':')?.1).first().copied())
            .collect();
        assert!(
            !counts.is_empty(),
            "no Adjusted line of {table} with {words:?}:\n{}",
            self.stdout
        );
        counts.iter().sum()
    }

    /// The lines from the one starting with `heading` to the next heading of the other section.
    fn section(&self, heading: &str) -> &str {
        let start = self
            .stdout
            .lines()
            .find(|line| line.trim_start().starts_with(heading))
            .map(|line| line.as_ptr() as usize - self.stdout.as_ptr() as usize)
            .unwrap_or_else(|| panic!("no {heading} section:\n{}", self.stdout));
        let rest = &self.stdout[start..];
        let other = if heading == "Skipped" {
            "\nAdjusted"
        } else {
            "\nSkipped"
        };
        match rest.find(other) {
            Some(end) => &rest[..end],
            None => rest,
        }
    }
}

/// The rest of `line` if it starts with the table name `name` followed by a space or colon.
fn after_name<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(name)?;
    rest.starts_with([' ', '\t', ':']).then_some(rest)
}

fn integers(text: &str) -> Vec<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect()
}

/// Every count, skip and adjustment the fixture shop must produce (django_data.sql).
pub fn assert_fixture_summary(summary: &Summary) {
    let rows = [
        ("users_user", [10, 8, 2]),
        ("users_address", [6, 3, 3]),
        ("catalog_category", [3, 3, 0]),
        ("catalog_product", [7, 5, 2]),
        // Five carts: two anonymous or ownerless skipped, Ada's second merged into her first.
        ("cart_cart", [5, 2, 2]),
        // Eleven lines: four skipped, three merged into others.
        ("cart_cartitem", [11, 4, 4]),
        ("orders_order", [11, 7, 4]),
        ("orders_orderitem", [12, 8, 4]),
        ("reviews_review", [7, 3, 4]),
    ];
    for (table, expected) in rows {
        assert_eq!(summary.row(table), expected, "{table}:\n{}", summary.stdout);
    }
    let [_, written, skipped] = summary.row("product images");
    assert_eq!((written, skipped), (2, 1), "{}", summary.stdout);

    let skips: &[(&str, &str, &[i64])] = &[
        ("users_user", "no email address", &[23]),
        (
            "users_user",
            "email already used by another user (case-insensitively)",
            &[26],
        ),
        ("users_address", "its user was not imported", &[108, 110]),
        ("users_address", "a required field is empty", &[105]),
        ("catalog_product", "price must be greater than 0", &[44]),
        ("catalog_product", "title is empty", &[47]),
        ("cart_cart", "no user (anonymous cart)", &[205]),
        ("cart_cart", "its user was not imported", &[206]),
        ("cart_cartitem", "its cart was not imported", &[307, 311]),
        ("cart_cartitem", "its product was not imported", &[308]),
        ("cart_cartitem", "quantity is 0", &[306]),
        ("orders_order", "its user was not imported", &[511]),
        ("orders_order", "total_amount is negative", &[514]),
        ("orders_order", "unknown status", &[512]),
        ("orders_order", "unknown payment_status", &[513]),
        ("orders_orderitem", "its order was not imported", &[612]),
        ("orders_orderitem", "its product was not imported", &[604]),
        ("orders_orderitem", "quantity is 0", &[608]),
        ("orders_orderitem", "unit_price is negative", &[609]),
        ("reviews_review", "its user was not imported", &[706]),
        ("reviews_review", "its product was not imported", &[703]),
        (
            "reviews_review",
            "rating is not between 1 and 5",
            &[704, 705],
        ),
        ("product images", "not a safe media path", &[48]),
    ];
    for (table, reason, expected_ids) in skips {
        let (count, listed) = summary.skipped(table, reason);
        assert_eq!(
            (count, listed.as_slice()),
            (expected_ids.len() as i64, *expected_ids),
            "{table}: {reason}\n{}",
            summary.stdout
        );
    }
    // Reasons that need --media-from do not appear without it.
    assert!(!summary.mentions_skip("product images", "file not found"));

    let adjusted = [
        ("cart_cart", "merged", 1),
        // 302 into 301; 304 and 310 into 300.
        ("cart_cartitem", "merged", 3),
        // 1 + 2 + 9999 phones.
        ("cart_cartitem", "capped at 10000", 1),
        ("users_address", "default", 1),
        // Users 20 (`!…`), 21 (bcrypt_sha256) and 30 (empty), whatever the reason's wording.
        ("users_user", "password must be reset", 3),
        ("users_user", "bcrypt_sha256", 1),
        // Line 607: 1 × 19.99 with a Django subtotal of 15.00.
        ("orders_orderitem", "subtotal", 1),
    ];
    for (table, words, expected) in adjusted {
        assert_eq!(
            summary.adjusted(table, words),
            expected,
            "{table}: {words}\n{}",
            summary.stdout
        );
    }
}

api_test! {
    async fn the_summary_counts_every_table_and_lists_each_skip_with_its_reason_and_ids(app: TestApp) {
        let (_source, summary) = imported(&app).await;
        assert_fixture_summary(&summary);
    }

    async fn a_skip_lists_at_most_ten_ids_the_first_ones_but_counts_them_all(app: TestApp) {
        let source = DjangoSource::sqlite().await;
        let anonymous: Vec<String> = (900..912)
            .map(|id| format!("({id}, '2024-03-09 10:00:00', NULL)"))
            .collect();
        source
            .execute(&format!(
                "INSERT INTO cart_cart (id, created_at, user_id) VALUES {};",
                anonymous.join(", ")
            ))
            .await;
        let summary = import_ok(&app, &source, &[]);
        let (count, listed) = summary.skipped("cart_cart", "no user (anonymous cart)");
        assert_eq!(count, 13, "{}", summary.stdout);
        assert_eq!(
            listed,
            [205, 900, 901, 902, 903, 904, 905, 906, 907, 908],
            "{}",
            summary.stdout
        );
        assert_eq!(summary.row("cart_cart"), [17, 2, 14], "{}", summary.stdout);
    }
}
