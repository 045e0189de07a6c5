//! What the deals lists share: the `ordering` whitelist reader, the `ORDER BY` it becomes (the
//! same order on both engines, nulls included) and the `search` pattern.

use crate::{db::SqlBuilder, error::FieldErrors, http::extract::QueryPairs, validation::messages};

/// A sortable field: its `ordering` name, its SQL and whether it may be null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sortable {
    pub name: &'static str,
    pub column: &'static str,
    pub nullable: bool,
}

/// One `ordering` key with its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    field: Sortable,
    descending: bool,
}

impl OrderKey {
    pub fn is_descending(self) -> bool {
        self.descending
    }
}

/// `-deadline,bogus,created_at` → the known fields in order; unknown fields and repeats are
/// ignored, as DRF's `OrderingFilter` does.
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

/// Appends ` ORDER BY …`: the keys, else `default_column` newest first; `id_column` breaks ties.
/// Nulls sort as PostgreSQL sorts them (last ascending, first descending) on both engines.
pub fn push_order_by(
    sql: &mut SqlBuilder,
    keys: &[OrderKey],
    default_column: &str,
    id_column: &str,
) {
    sql.push(" ORDER BY ");
    if keys.is_empty() {
        sql.push(default_column).push(" DESC, ");
    }
    for key in keys {
        let direction = if key.descending { " DESC" } else { " ASC" };
        if key.field.nullable {
            sql.push("(")
                .push(key.field.column)
                .push(" IS NULL)")
                .push(direction)
                .push(", ");
        }
        sql.push(key.field.column).push(direction).push(", ");
    }
    let descending = keys.first().is_none_or(|key| key.descending);
    sql.push(id_column)
        .push(if descending { " DESC" } else { " ASC" });
}

/// `%text%` for a case-insensitive `LOWER(x) LIKE … ESCAPE '\'`, with `%` and `_` typed by the
/// user matching themselves.
pub fn contains_pattern(text: &str) -> String {
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
        Sortable {
            name: "created_at",
            column: "r.created_at",
            nullable: false,
        },
        Sortable {
            name: "deadline",
            column: "r.deadline",
            nullable: true,
        },
    ];

    fn order_by(raw: &str) -> String {
        let query = QueryPairs(vec![("ordering".into(), raw.into())]);
        let mut sql = SqlBuilder::new("");
        push_order_by(
            &mut sql,
            &parse_ordering(&query, FIELDS),
            "r.created_at",
            "r.id",
        );
        sql.sql().to_owned()
    }

    #[test]
    fn ordering_keeps_known_fields_puts_nulls_where_postgres_does_and_breaks_ties_by_id() {
        assert_eq!(order_by(""), " ORDER BY r.created_at DESC, r.id DESC");
        assert_eq!(order_by("bogus"), " ORDER BY r.created_at DESC, r.id DESC");
        assert_eq!(
            order_by("deadline,-created_at,deadline"),
            " ORDER BY (r.deadline IS NULL) ASC, r.deadline ASC, r.created_at DESC, r.id ASC"
        );
        assert_eq!(
            order_by("-deadline"),
            " ORDER BY (r.deadline IS NULL) DESC, r.deadline DESC, r.id DESC"
        );
    }

    #[test]
    fn search_patterns_match_wildcards_literally() {
        assert_eq!(contains_pattern("50%_Off"), "%50\\%\\_off%");
    }
}
