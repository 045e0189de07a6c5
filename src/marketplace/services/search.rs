//! Full-text search over services, the one place where the two engines need different SQL (the
//! same machinery as `catalog::search` for products, over migration 0017's index).
//!
//! Both variants join a derived table `m` with a `search_rank` column (higher is better) that
//! keeps only the matching services (aliased `s`), so the rest of the list query — visibility,
//! filters, ordering, pagination — stays one statement for both engines.
//!
//! * PostgreSQL: `services.search_vector` (title weighted `A`, `search_text` weighted `B`),
//!   matched with `websearch_to_tsquery` on the GIN index and ranked with `ts_rank`.
//! * SQLite: the FTS5 table `services_fts` (`service_id UNINDEXED, title, search_text`) matched
//!   with the user's words, each quoted and prefix-matched so no input is FTS5 syntax, ranked
//!   with `bm25` (title weighted 10×, as `A` outranks `B` in PostgreSQL).

use crate::db::{fts5_query, Backend, SqlBuilder};

/// The relevance of a match, higher is better (sorted descending).
pub const RANK: &str = "m.search_rank";

/// Adds the search join for `text` to `sql` (whose services are aliased `s`); `false` when
/// `text` has no searchable word, in which case nothing can match and the caller answers an
/// empty page.
pub fn push_join(sql: &mut SqlBuilder, backend: Backend, text: &str) -> bool {
    match backend {
        Backend::Postgres => {
            if !text.chars().any(char::is_alphanumeric) {
                return false;
            }
            let text = sql.bind(text);
            // Parsed once as a row of its own, the rank kept apart (`OFFSET 0`) and computed per
            // match, the match itself on `s` where the GIN index answers it (as for products).
            sql.push(&format!(
                " CROSS JOIN websearch_to_tsquery('english', {text}) AS q(query) \
                 JOIN LATERAL (SELECT ts_rank(s.search_vector, q.query) AS search_rank OFFSET 0) m \
                 ON s.search_vector @@ q.query"
            ));
        }
        Backend::Sqlite => {
            let Some(query) = fts5_query(text) else {
                return false;
            };
            let query = sql.bind(query);
            // bm25 weighs every column in declaration order, the unindexed id included; it is
            // lower-is-better, so negated for one "rank descending" on both engines. The match
            // runs once and services are then looked up by primary key.
            sql.push(&format!(
                " JOIN (SELECT service_id AS search_id, \
                 -bm25(services_fts, 0.0, 10.0, 1.0) AS search_rank \
                 FROM services_fts WHERE services_fts MATCH {query}) m ON s.id = m.search_id"
            ));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_bind_the_text_and_refuse_text_without_a_word() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let mut sql = SqlBuilder::new("SELECT s.id FROM services s");
            assert!(push_join(&mut sql, backend, "x'; DROP TABLE services; --"));
            assert!(!sql.sql().contains("DROP"), "{}", sql.sql());
            assert!(!push_join(&mut SqlBuilder::new(""), backend, "?! -"));
        }
    }
}
