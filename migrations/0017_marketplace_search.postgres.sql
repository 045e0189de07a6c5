-- Full-text search over services, PostgreSQL flavour (the SQLite one is
-- 0017_marketplace_search.sqlite.sql): a tsvector set by a trigger only when the title or the
-- search text is written (so counter updates stay cheap, as 0006 did for products), with a GIN
-- index. The title weighs more than the rest.

ALTER TABLE services ADD COLUMN search_vector tsvector;

CREATE FUNCTION services_set_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := setweight(to_tsvector('english', NEW.title), 'A')
        || setweight(to_tsvector('english', NEW.search_text), 'B');
    RETURN NEW;
END
$$;

CREATE TRIGGER services_search_vector_on_insert BEFORE INSERT ON services
    FOR EACH ROW EXECUTE FUNCTION services_set_search_vector();
CREATE TRIGGER services_search_vector_on_update BEFORE UPDATE OF title, search_text ON services
    FOR EACH ROW EXECUTE FUNCTION services_set_search_vector();

CREATE INDEX services_search_idx ON services USING GIN (search_vector);
