//! A small SQL builder that numbers `$n` placeholders as values are bound, so one statement text
//! serves both engines however many optional filters a request switches on.

use sqlx::{
    any::{AnyArguments, AnyRow},
    query::Query,
    Any, AnyPool, Row,
};

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(i64),
    Text(String),
    Bool(bool),
    /// A null in an integer column (`brand_id = NULL`).
    NullInt,
}

impl From<bool> for Param {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<Option<i64>> for Param {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Self::NullInt, Self::Int)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

/// SQL text under construction and the values for its placeholders, in order.
#[derive(Clone, Debug, Default)]
pub struct SqlBuilder {
    sql: String,
    params: Vec<Param>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            params: Vec::new(),
        }
    }

    /// Appends raw SQL (never user input: that goes through [`SqlBuilder::bind`]).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Registers a value and returns its placeholder (`$3`), to be written where needed,
    /// possibly more than once.
    pub fn bind(&mut self, value: impl Into<Param>) -> String {
        self.params.push(value.into());
        format!("${}", self.params.len())
    }

    /// Binds a value and appends its placeholder.
    pub fn push_bind(&mut self, value: impl Into<Param>) -> &mut Self {
        let placeholder = self.bind(value);
        self.push(&placeholder)
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The statement with its values bound, to run on a pool or inside a transaction.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut query = sqlx::query(&self.sql);
        for param in &self.params {
            query = match param {
                Param::Int(value) => query.bind(*value),
                Param::Text(value) => query.bind(value.as_str()),
                Param::Bool(value) => query.bind(*value),
                Param::NullInt => query.bind(None::<i64>),
            };
        }
        query
    }

    /// Runs the statement and returns every row.
    pub async fn fetch_all(&self, pool: &AnyPool) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.query().fetch_all(pool).await
    }

    /// Runs a statement that answers one integer (a `COUNT`).
    pub async fn fetch_i64(&self, pool: &AnyPool) -> Result<i64, sqlx::Error> {
        let row = self.query().fetch_one(pool).await?;
        row.try_get(0)
    }

    /// Runs a write and returns how many rows it touched.
    pub async fn execute(&self, pool: &AnyPool) -> Result<u64, sqlx::Error> {
        Ok(self.query().execute(pool).await?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_binding_order() {
        let mut sql = SqlBuilder::new("SELECT id FROM products WHERE TRUE");
        sql.push(" AND price_cents >= ").push_bind(100);
        let term = sql.bind("lamp");
        sql.push(&format!(" AND (title = {term} OR slug = {term})"));
        assert_eq!(sql.sql(), "SELECT id FROM products WHERE TRUE AND price_cents >= $1 AND (title = $2 OR slug = $2)");
        assert_eq!(
            sql.params,
            vec![Param::Int(100), Param::Text("lamp".into())]
        );
    }
}
