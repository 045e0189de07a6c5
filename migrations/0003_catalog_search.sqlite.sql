-- Full-text search over products, SQLite flavour: an FTS5 index kept in step by triggers.
-- The PostgreSQL flavour of this migration is 0003_catalog_search.postgres.sql.

CREATE VIRTUAL TABLE products_fts USING fts5(
    title, search_text,
    content = 'products', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER products_fts_after_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
END;

CREATE TRIGGER products_fts_after_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, title, search_text)
    VALUES ('delete', old.id, old.title, old.search_text);
END;

CREATE TRIGGER products_fts_after_update AFTER UPDATE OF title, search_text ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, title, search_text)
    VALUES ('delete', old.id, old.title, old.search_text);
    INSERT INTO products_fts (rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
END;
