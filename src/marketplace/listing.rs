//! What every marketplace list shares: the `search` pattern (a case-insensitive substring, `%`
//! and `_` matching themselves) and the `ordering` parameter (a whitelist, `-` for descending,
//! unknown keys ignored as DRF's `OrderingFilter` does, the id as the last tie-breaker).

use crate::db::SqlBuilder;

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

/// `%text%` lowercased, with `%`, `_` and the escape character matching literally.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The `ORDER BY` terms for `raw` (`-rating,created_at`): the keys `allowed` maps to SQL
/// expressions, in the order given, repeats and unknown keys ignored; `default` when none is
/// known; then `id_column` in the direction of the first key, so pages never overlap.
pub fn order_by(
    raw: Option<&str>,
    allowed: &[(&str, &str)],
    default: (&str, bool),
    id_column: &str,
) -> String {
    let mut keys: Vec<(&str, bool)> = Vec::new();
    for field in raw.unwrap_or_default().split(',').map(str::trim) {
        let (descending, name) = match field.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, field),
        };
        let Some((_, expression)) = allowed.iter().find(|(key, _)| *key == name) else {
            continue;
        };
        if !keys.iter().any(|(known, _)| known == expression) {
            keys.push((expression, descending));
        }
    }
    if keys.is_empty() {
        keys.push(default);
    }
    let direction = |descending: bool| if descending { "DESC" } else { "ASC" };
    let mut terms: Vec<String> = keys
        .iter()
        .map(|(expression, descending)| format!("{expression} {}", direction(*descending)))
        .collect();
    terms.push(format!("{id_column} {}", direction(keys[0].1)));
    terms.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &[(&str, &str)] = &[("name", "LOWER(x.name)"), ("created_at", "x.created_at")];

    #[test]
    fn ordering_keeps_known_keys_in_order_and_breaks_ties_by_id() {
        let order = |raw| order_by(raw, ALLOWED, ("x.created_at", true), "x.id");
        assert_eq!(order(None), "x.created_at DESC, x.id DESC");
        assert_eq!(
            order(Some("-name, bogus,created_at,name")),
            "LOWER(x.name) DESC, x.created_at ASC, x.id DESC"
        );
        assert_eq!(order(Some("nope")), "x.created_at DESC, x.id DESC");
        assert_eq!(order(Some("created_at")), "x.created_at ASC, x.id ASC");
    }

    #[test]
    fn search_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("Rust_50%"), "%rust\\_50\\%%");
        let mut sql = SqlBuilder::new("SELECT 1 WHERE TRUE");
        push_search(&mut sql, &["a", "b"], Some("x"));
        assert_eq!(
            sql.sql(),
            "SELECT 1 WHERE TRUE AND (LOWER(a) LIKE $1 ESCAPE '\\' OR LOWER(b) LIKE $1 ESCAPE '\\')"
        );
        push_search(&mut sql, &["a"], None);
        assert_eq!(sql.bound(), 1);
    }
}
