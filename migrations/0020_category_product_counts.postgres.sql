-- Each category keeps how many active products it holds itself (not its descendants), so
-- `categories/` reads a column instead of counting the products table once per category (issue 22;
-- docs/PERFORMANCE.md, log 41). PostgreSQL flavour; the SQLite flavour is
-- 0020_category_product_counts.sqlite.sql.
--
-- Triggers keep it, so every write path (the API, the staff dashboard, the seed, the Django import,
-- SQL by hand) counts the same way. The update trigger fires only when a product changes category
-- or active state: a checkout's stock update never writes the category row.

ALTER TABLE categories ADD COLUMN active_products BIGINT NOT NULL DEFAULT 0;

UPDATE categories SET active_products =
    (SELECT COUNT(*) FROM products p WHERE p.category_id = categories.id AND p.is_active);

CREATE FUNCTION products_count_in_categories() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.is_active THEN
        UPDATE categories SET active_products = active_products - 1 WHERE id = OLD.category_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.is_active THEN
        UPDATE categories SET active_products = active_products + 1 WHERE id = NEW.category_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_counted_on_insert AFTER INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION products_count_in_categories();
CREATE TRIGGER products_counted_on_delete AFTER DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION products_count_in_categories();
CREATE TRIGGER products_counted_on_update AFTER UPDATE OF category_id, is_active ON products
    FOR EACH ROW
    WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION products_count_in_categories();
