-- Stock changes with every order, so a stock update must be cheap. PostgreSQL flavour; the SQLite
-- flavour is 0006_cheap_stock_writes.sqlite.sql.
--
-- * A stored generated column is recomputed on every UPDATE, whatever it sets: each checkout ran
--   to_tsvector over the title and search text again. The vector is now set by a trigger that
--   fires only when the title or search text is written.
-- * No index on stock_quantity, and free room in each page (fillfactor): an update that touches
--   no indexed column is a HOT update, which writes none of the table's indexes (the GIN index
--   included). Ordering by stock is rare (staff views) and sorts instead.
-- * Title ordering is case-insensitive (LOWER(title)); index that instead of the raw title, which
--   nothing orders or filters by.

ALTER TABLE products ALTER COLUMN search_vector DROP EXPRESSION;

CREATE FUNCTION products_set_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := setweight(to_tsvector('english', NEW.title), 'A')
        || setweight(to_tsvector('english', NEW.search_text), 'B');
    RETURN NEW;
END
$$;

CREATE TRIGGER products_search_vector_on_insert BEFORE INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION products_set_search_vector();
CREATE TRIGGER products_search_vector_on_update BEFORE UPDATE OF title, search_text ON products
    FOR EACH ROW EXECUTE FUNCTION products_set_search_vector();

DROP INDEX products_stock_idx;
DROP INDEX products_title_idx;
CREATE INDEX products_title_lower_idx ON products (LOWER(title));
ALTER TABLE products SET (fillfactor = 85);
