//! What both full-text searches (products in `catalog::search`, services in
//! `marketplace::services::search`) share on SQLite: turning the user's text into FTS5 syntax.

/// Turns free text into a safe FTS5 query: every run of letters/digits becomes a quoted prefix
/// term, all of which must match (`wireless mouse!` → `"wireless"* "mouse"*`), so no input is
/// FTS5 syntax; `None` when the text has no word, which nothing can match.
pub fn fts5_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|term| !term.is_empty())
        .map(|term| format!("\"{}\"*", term.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_quote_every_word_and_drop_syntax() {
        assert_eq!(
            fts5_query("Wireless mouse!").as_deref(),
            Some("\"wireless\"* \"mouse\"*")
        );
        assert_eq!(
            fts5_query("Logo designs!").as_deref(),
            Some("\"logo\"* \"designs\"*")
        );
        assert_eq!(
            fts5_query("a\" OR title:x NEAR(").as_deref(),
            Some("\"a\"* \"or\"* \"title\"* \"x\"* \"near\"*")
        );
        assert_eq!(
            fts5_query("café-crème").as_deref(),
            Some("\"café\"* \"crème\"*")
        );
        assert_eq!(fts5_query(" !!! "), None);
        assert_eq!(fts5_query(" -- !!! "), None);
    }
}
