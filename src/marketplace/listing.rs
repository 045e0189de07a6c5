//! What every marketplace list shares: the `search` pattern (a case-insensitive substring, `%`
//! and `_` matching themselves), the `ordering` parameter (a whitelist, `-` for descending,
//! unknown keys and repeats ignored as DRF's `OrderingFilter` does) and the `ORDER BY` it
//! becomes (the same order on both engines, nulls included, the id as the last tie-breaker),
//! and the `status` filter. Services search with full text instead (`services::search`).

use crate::{db::SqlBuilder, error::FieldErrors, http::extract::QueryPairs, validation::messages};

/// A sortable field: its `ordering` name, its SQL and whether it may be null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sortable {
    pub name: &'static str,
    pub column: &'static str,
    pub nullable: bool,
}

impl Sortable {
    /// A field that is never null.
    pub const fn new(name: &'static str, column: &'static str) -> Self {
        Self {
            name,
            column,
            nullable: false,
        }
    }

    /// A field that may be null: nulls sort as PostgreSQL sorts them on both engines.
    pub const fn nullable(name: &'static str, column: &'static str) -> Self {
        Self {
            name,
            column,
            nullable: true,
        }
    }
}

/// One `ordering` key with its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    field: Sortable,
    descending: bool,
}

/// The order of a list whose `ordering` names no known field (never null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultOrder<'a> {
    pub column: &'a str,
    pub descending: bool,
}

impl<'a> DefaultOrder<'a> {
    pub const fn ascending(column: &'a str) -> Self {
        Self {
            column,
            descending: false,
        }
    }

    pub const fn descending(column: &'a str) -> Self {
        Self {
            column,
            descending: true,
        }
    }
}

/// The last `ORDER BY` term, so that pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieBreak<'a> {
    /// The id in the direction of the first term (every list but appointments).
    FollowFirst(&'a str),
    /// The id ascending whatever the first term's direction (the appointment list's order).
    Ascending(&'a str),
}

/// `-deadline,bogus,created_at` in the query's `ordering` → the known fields in order; unknown
/// fields and repeats are ignored, as DRF's `OrderingFilter` does.
pub fn parse_ordering(query: &QueryPairs, fields: &[Sortable]) -> Vec<OrderKey> {
    let mut keys: Vec<OrderKey> = Vec::new();
    let Some(raw) = query.get("ordering") else {
        return keys;
    };
    for term in raw.split(',').map(str::trim) {
        let (descending, name) = match term.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, term),
        };
        let Some(field) = fields.iter().find(|f| f.name == name) else {
            continue;
        };
        if !keys.iter().any(|key| key.field.name == name) {
            keys.push(OrderKey {
                field: *field,
                descending,
            });
        }
    }
    keys
}

/// Appends ` ORDER BY …`: the keys, else `default`; then `tie_break`. Nullable fields sort
/// their nulls as PostgreSQL does (last ascending, first descending) on both engines.
pub fn push_order_by(
    sql: &mut SqlBuilder,
    keys: &[OrderKey],
    default: DefaultOrder<'_>,
    tie_break: TieBreak<'_>,
) {
    let direction = |descending: bool| if descending { " DESC" } else { " ASC" };
    sql.push(" ORDER BY ");
    if keys.is_empty() {
        sql.push(default.column)
            .push(direction(default.descending))
            .push(", ");
    }
    for key in keys {
        let direction = direction(key.descending);
        if key.field.nullable {
            sql.push("(")
                .push(key.field.column)
                .push(" IS NULL)")
                .push(direction)
                .push(", ");
        }
        sql.push(key.field.column).push(direction).push(", ");
    }
    match tie_break {
        TieBreak::FollowFirst(id) => {
            let descending = keys
                .first()
                .map_or(default.descending, |key| key.descending);
            sql.push(id).push(direction(descending));
        }
        TieBreak::Ascending(id) => {
            sql.push(id).push(direction(false));
        }
    }
}

/// Appends ` AND (LOWER(a) LIKE p ESCAPE '\' OR ...)` over `columns` for `search`, if given.
pub fn push_search(sql: &mut SqlBuilder, columns: &[&str], search: Option<&str>) {
    let Some(search) = search else { return };
    let pattern = sql.bind(like_pattern(search));
    let terms: Vec<String> = columns
        .iter()
        .map(|column| format!("LOWER({column}) LIKE {pattern} ESCAPE '\\'"))
        .collect();
    sql.push(&format!(" AND ({})", terms.join(" OR ")));
}

/// `%text%` lowercased (both sides are lowered: LIKE is case-sensitive on PostgreSQL), with
/// `%`, `_` and the escape character typed by the user matching themselves.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A `status` filter: one of `choices`, else django-filter's `400` under `status`.
pub fn status_filter(
    query: &QueryPairs,
    choices: &[&'static str],
    errors: &mut FieldErrors,
) -> Option<&'static str> {
    let raw = query.get("status")?;
    let found = choices.iter().find(|choice| **choice == raw).copied();
    if found.is_none() {
        errors.add("status", messages::unknown_filter_choice(raw));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Sortable] = &[
        Sortable::new("created_at", "r.created_at"),
        Sortable::nullable("deadline", "r.deadline"),
        Sortable::new("name", "LOWER(r.name)"),
    ];

    fn query(pairs: &[(&str, &str)]) -> QueryPairs {
        QueryPairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    fn order_by(raw: &str, default: DefaultOrder<'_>, tie_break: TieBreak<'_>) -> String {
        let keys = parse_ordering(&query(&[("ordering", raw)]), FIELDS);
        let mut sql = SqlBuilder::new("");
        push_order_by(&mut sql, &keys, default, tie_break);
        sql.sql().to_owned()
    }

    #[test]
    fn ordering_keeps_known_fields_once_in_order_and_ignores_the_rest() {
        let names = |raw: &str| -> Vec<(&str, bool)> {
            parse_ordering(&query(&[("ordering", raw)]), FIELDS)
                .into_iter()
                .map(|key| (key.field.name, key.descending))
                .collect()
        };
        assert_eq!(
            names("-name, bogus,created_at,name"),
            [("name", true), ("created_at", false)]
        );
        assert!(names("price,-id,").is_empty());
        assert!(parse_ordering(&query(&[]), FIELDS).is_empty());
    }

    #[test]
    fn ordering_puts_nulls_where_postgres_does_and_breaks_ties_by_id_in_the_first_direction() {
        let newest = DefaultOrder::descending("r.created_at");
        let order = |raw| order_by(raw, newest, TieBreak::FollowFirst("r.id"));
        assert_eq!(order(""), " ORDER BY r.created_at DESC, r.id DESC");
        assert_eq!(order("bogus"), " ORDER BY r.created_at DESC, r.id DESC");
        assert_eq!(
            order("deadline,-created_at,deadline"),
            " ORDER BY (r.deadline IS NULL) ASC, r.deadline ASC, r.created_at DESC, r.id ASC"
        );
        assert_eq!(
            order("-deadline"),
            " ORDER BY (r.deadline IS NULL) DESC, r.deadline DESC, r.id DESC"
        );
        assert_eq!(
            order("-name,created_at"),
            " ORDER BY LOWER(r.name) DESC, r.created_at ASC, r.id DESC"
        );
    }

    #[test]
    fn the_default_order_may_be_ascending_and_the_tie_break_fixed() {
        let by_name = DefaultOrder::ascending("LOWER(r.name)");
        assert_eq!(
            order_by("", by_name, TieBreak::FollowFirst("r.id")),
            " ORDER BY LOWER(r.name) ASC, r.id ASC"
        );
        assert_eq!(
            order_by("-created_at", by_name, TieBreak::Ascending("r.id")),
            " ORDER BY r.created_at DESC, r.id ASC"
        );
    }

    #[test]
    fn search_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("Rust_50%"), "%rust\\_50\\%%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
        let mut sql = SqlBuilder::new("SELECT 1 WHERE TRUE");
        push_search(&mut sql, &["a", "b"], Some("x"));
        assert_eq!(
            sql.sql(),
            "SELECT 1 WHERE TRUE AND (LOWER(a) LIKE $1 ESCAPE '\\' OR LOWER(b) LIKE $1 ESCAPE '\\')"
        );
        push_search(&mut sql, &["a"], None);
        assert_eq!(sql.bound(), 1);
    }

    #[test]
    fn an_unknown_status_is_a_400_under_status() {
        let mut errors = FieldErrors::new();
        let choices = &["open", "closed"];
        assert_eq!(
            status_filter(&query(&[("status", "open")]), choices, &mut errors),
            Some("open")
        );
        assert_eq!(status_filter(&query(&[]), choices, &mut errors), None);
        assert!(errors.into_result().is_ok());
        let mut errors = FieldErrors::new();
        assert_eq!(
            status_filter(&query(&[("status", "Open")]), choices, &mut errors),
            None
        );
        assert!(errors.has("status"));
    }
}
