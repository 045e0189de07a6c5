-- Full-text search over products, PostgreSQL flavour: a generated tsvector with a GIN index.
-- The title weighs more than the description and category/brand names.
-- The SQLite flavour of this migration is 0003_catalog_search.sqlite.sql.

ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', search_text), 'B')
) STORED;

CREATE INDEX products_search_idx ON products USING GIN (search_vector);
