//! What an import read, wrote, skipped (and why) and adjusted, printed as the closing summary.

use std::{collections::BTreeMap, fmt::Write};

/// How many ids a skip line lists; the count says how many there were.
const LISTED_IDS: usize = 10;

/// One Django table's line of the summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub read: usize,
    pub written: usize,
    pub skipped: usize,
}

/// Rows skipped for one reason: how many, and the first ids.
#[derive(Debug, Default)]
struct Skips {
    count: usize,
    ids: Vec<i64>,
}

/// The summary under construction; tables keep the order they were first mentioned in.
#[derive(Debug, Default)]
pub struct Report {
    tables: Vec<(&'static str, Counts)>,
    skips: BTreeMap<(usize, &'static str), Skips>,
    adjusted: Vec<(&'static str, String, usize)>,
}

impl Report {
    fn counts(&mut self, table: &'static str) -> (usize, &mut Counts) {
        let index = match self.tables.iter().position(|(name, _)| *name == table) {
            Some(index) => index,
            None => {
                self.tables.push((table, Counts::default()));
                self.tables.len() - 1
            }
        };
        (index, &mut self.tables[index].1)
    }

    /// `n` rows of `table` were read from Django.
    pub fn read(&mut self, table: &'static str, n: usize) {
        self.counts(table).1.read += n;
    }

    /// `n` rows of `table` were written to Nexus.
    pub fn written(&mut self, table: &'static str, n: usize) {
        self.counts(table).1.written += n;
    }

    /// The row `id` of `table` was not imported, for `reason`.
    pub fn skip(&mut self, table: &'static str, id: i64, reason: &'static str) {
        let (index, counts) = self.counts(table);
        counts.skipped += 1;
        let skips = self.skips.entry((index, reason)).or_default();
        skips.count += 1;
        if skips.ids.len() < LISTED_IDS {
            skips.ids.push(id);
        }
    }

    /// `n` rows of `table` were imported with a change: `what` says which.
    pub fn adjust(&mut self, table: &'static str, what: impl Into<String>, n: usize) {
        if n > 0 {
            self.adjusted.push((table, what.into(), n));
        }
    }

    /// The counts of `table` (zero when it was never mentioned).
    #[cfg(test)]
    pub fn table(&self, table: &str) -> Counts {
        self.tables
            .iter()
            .find(|(name, _)| *name == table)
            .map_or_else(Counts::default, |(_, counts)| *counts)
    }

    /// The ids listed for (`table`, `reason`), for the tests.
    #[cfg(test)]
    pub fn skipped_ids(&self, table: &str, reason: &str) -> Vec<i64> {
        self.skips
            .iter()
            .filter(|((index, why), _)| self.tables[*index].0 == table && *why == reason)
            .flat_map(|(_, skips)| skips.ids.clone())
            .collect()
    }

    /// The summary: a table of counts, then the skips by reason, then the adjustments.
    pub fn render(&self) -> String {
        let width = self
            .tables
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(5)
            .max(16);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<width$} {:>9} {:>9} {:>9}",
            "table", "read", "written", "skipped"
        );
        for (name, counts) in &self.tables {
            let _ = writeln!(
                out,
                "{name:<width$} {:>9} {:>9} {:>9}",
                counts.read, counts.written, counts.skipped
            );
        }
        if !self.skips.is_empty() {
            out.push_str("\nSkipped:\n");
            for ((index, reason), skips) in &self.skips {
                let ids: Vec<String> = skips.ids.iter().map(i64::to_string).collect();
                let more = if skips.count > skips.ids.len() {
                    ", …"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "  {:<width$}  {reason}: {} (ids {}{more})",
                    self.tables[*index].0,
                    skips.count,
                    ids.join(", ")
                );
            }
        }
        if !self.adjusted.is_empty() {
            out.push_str("\nAdjusted:\n");
            for (table, what, n) in &self.adjusted {
                let _ = writeln!(out, "  {table:<width$}  {what}: {n}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_lists_counts_skips_with_ids_and_adjustments() {
        let mut report = Report::default();
        report.read("catalog_product", 3);
        report.written("catalog_product", 2);
        report.skip("catalog_product", 7, "price must be greater than 0");
        report.adjust("cart_cart", "merged into the user's oldest cart", 2);
        report.adjust("cart_cart", "nothing to say", 0);
        let text = report.render();
        assert!(
            text.contains("catalog_product          3         2         1"),
            "{text}"
        );
        assert!(
            text.contains("catalog_product   price must be greater than 0: 1 (ids 7)"),
            "{text}"
        );
        assert!(
            text.contains("cart_cart         merged into the user's oldest cart: 2"),
            "{text}"
        );
        assert!(!text.contains("nothing to say"));
    }

    #[test]
    fn a_long_skip_list_names_the_first_ten_ids_and_the_full_count() {
        let mut report = Report::default();
        for id in 1..=25 {
            report.skip("reviews_review", id, "rating is not between 1 and 5");
        }
        let text = report.render();
        assert!(
            text.contains(": 25 (ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …)"),
            "{text}"
        );
        assert_eq!(report.table("reviews_review").skipped, 25);
    }
}
