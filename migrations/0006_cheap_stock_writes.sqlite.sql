-- Stock changes with every order, so a stock update must be cheap. SQLite flavour; the
-- PostgreSQL flavour (0006_cheap_stock_writes.postgres.sql) also stops recomputing the search
-- vector on every update. The FTS5 triggers (0003) already fire only on title/search text writes.
--
-- * No index on stock_quantity: one index fewer to write per checkout line. Ordering by stock is
--   rare (staff views) and sorts instead.
-- * Title ordering is case-insensitive (LOWER(title)); index that instead of the raw title, which
--   nothing orders or filters by.

DROP INDEX products_stock_idx;
DROP INDEX products_title_idx;
CREATE INDEX products_title_lower_idx ON products (LOWER(title));
