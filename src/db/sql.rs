//! The one dynamic-SQL builder: it numbers `$n` placeholders as values are bound, so one
//! statement text serves both engines however many optional filters, `IN` lists or batched rows
//! a statement has.
//!
//! sqlx's own `QueryBuilder` can't be used here: through the `Any` driver it writes `?`
//! placeholders, which PostgreSQL refuses.

use sqlx::{
    any::{AnyArguments, AnyRow},
    query::{Query, QueryAs},
    Any, AnyPool, Arguments, FromRow, Row,
};

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(i64),
    Text(String),
    Bool(bool),
    /// A null in an integer column (`brand_id = NULL`).
    NullInt,
    /// A null in a text column.
    NullText,
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

impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Self {
        value.map_or(Self::NullText, Self::Text)
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

    /// Binds every value and appends their placeholders separated by commas (`$4, $5, $6`), for
    /// an `IN (…)` list or one row of a multi-row `VALUES`.
    pub fn push_list<P: Into<Param>>(&mut self, values: impl IntoIterator<Item = P>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// Binds every row and appends them as the rows of a multi-row `VALUES` (`($1, $2), ($3, $4)`).
    pub fn push_rows<R, P>(&mut self, rows: impl IntoIterator<Item = R>) -> &mut Self
    where
        R: IntoIterator<Item = P>,
        P: Into<Param>,
    {
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" })
                .push_list(row)
                .push(")");
        }
        self
    }

    /// How many values are bound so far (batched inserts stay under the engines' limits).
    pub fn bound(&self) -> usize {
        self.params.len()
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The statement with its values bound, to run on a pool or inside a transaction.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        sqlx::query_with(&self.sql, self.arguments())
    }

    /// The statement with its values bound, its rows decoded into `T` (a `FromRow` row struct).
    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        sqlx::query_as_with(&self.sql, self.arguments())
    }

    fn arguments(&self) -> AnyArguments<'_> {
        let mut arguments = AnyArguments::default();
        for param in &self.params {
            // Adding a value the `Any` driver encodes natively can't fail.
            let _ = match param {
                Param::Int(value) => arguments.add(*value),
                Param::Text(value) => arguments.add(value.as_str()),
                Param::Bool(value) => arguments.add(*value),
                Param::NullInt => arguments.add(None::<i64>),
                Param::NullText => arguments.add(None::<&str>),
            };
        }
        arguments
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

    #[test]
    fn rows_are_bound_in_order_as_the_rows_of_a_values_list() {
        let mut sql = SqlBuilder::new("UPDATE t SET n = v.column2 FROM (VALUES ");
        sql.push_rows([[1, 10], [2, 20]]).push(") AS v");
        assert_eq!(
            sql.sql(),
            "UPDATE t SET n = v.column2 FROM (VALUES ($1, $2), ($3, $4)) AS v"
        );
        assert_eq!(sql.params, [1, 10, 2, 20].map(Param::Int).to_vec());
    }

    #[derive(Debug, PartialEq, sqlx::FromRow)]
    struct Item {
        id: i64,
        title: Option<String>,
        is_active: crate::db::Flag,
    }

    #[tokio::test]
    async fn rows_decode_into_derived_row_structs() {
        sqlx::any::install_default_drivers();
        let pool = AnyPool::connect("sqlite::memory:").await.unwrap();
        let mut sql = SqlBuilder::new("SELECT ");
        sql.push_bind(7).push(" AS id, ").push_bind(None::<String>);
        sql.push(" AS title, ")
            .push_bind(true)
            .push(" AS is_active");
        let item: Item = sql.query_as().fetch_one(&pool).await.unwrap();
        assert_eq!(
            item,
            Item {
                id: 7,
                title: None,
                is_active: crate::db::Flag(true)
            }
        );
    }

    #[test]
    fn lists_bind_each_value_in_order() {
        let mut sql = SqlBuilder::new("SELECT id FROM products WHERE id IN (");
        sql.push_list([3_i64, 5, 8]).push(")");
        assert_eq!(
            sql.sql(),
            "SELECT id FROM products WHERE id IN ($1, $2, $3)"
        );
        assert_eq!(sql.bound(), 3);
    }
}
