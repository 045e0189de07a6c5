-- Full-text search over services, SQLite flavour (the PostgreSQL one is
-- 0017_marketplace_search.postgres.sql): an FTS5 table kept in step by triggers, tokenised like
-- products_fts. Services have text ids, and a table's implicit rowid may change on VACUUM, so
-- this is not an external-content table on `services`: it holds its own copy of the text with
-- the service id beside it (unindexed).

CREATE VIRTUAL TABLE services_fts USING fts5(
    service_id UNINDEXED, title, search_text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER services_fts_after_insert AFTER INSERT ON services BEGIN
    INSERT INTO services_fts (service_id, title, search_text)
    VALUES (new.id, new.title, new.search_text);
END;

CREATE TRIGGER services_fts_after_delete AFTER DELETE ON services BEGIN
    DELETE FROM services_fts WHERE service_id = old.id;
END;

CREATE TRIGGER services_fts_after_update AFTER UPDATE OF title, search_text ON services BEGIN
    DELETE FROM services_fts WHERE service_id = old.id;
    INSERT INTO services_fts (service_id, title, search_text)
    VALUES (new.id, new.title, new.search_text);
END;
