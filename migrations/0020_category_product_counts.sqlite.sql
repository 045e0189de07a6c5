-- Each category keeps how many active products it holds itself (not its descendants), so
-- `categories/` reads a column instead of counting the products table once per category (issue 22;
-- docs/PERFORMANCE.md, log 41). SQLite flavour; the PostgreSQL flavour is
-- 0020_category_product_counts.postgres.sql.
--
-- Triggers keep it, so every write path (the API, the staff dashboard, the seed, the Django import,
-- SQL by hand) counts the same way. The update trigger fires only when a product changes category
-- or active state: a checkout's stock update never writes the category row. `is_active` is 0 or 1.

ALTER TABLE categories ADD COLUMN active_products BIGINT NOT NULL DEFAULT 0;

UPDATE categories SET active_products =
    (SELECT COUNT(*) FROM products p WHERE p.category_id = categories.id AND p.is_active = 1);

CREATE TRIGGER products_counted_on_insert AFTER INSERT ON products WHEN NEW.is_active = 1
BEGIN
    UPDATE categories SET active_products = active_products + 1 WHERE id = NEW.category_id;
END;

CREATE TRIGGER products_counted_on_delete AFTER DELETE ON products WHEN OLD.is_active = 1
BEGIN
    UPDATE categories SET active_products = active_products - 1 WHERE id = OLD.category_id;
END;

CREATE TRIGGER products_counted_on_update AFTER UPDATE OF category_id, is_active ON products
    WHEN OLD.category_id IS NOT NEW.category_id OR OLD.is_active IS NOT NEW.is_active
BEGIN
    UPDATE categories SET active_products = active_products - OLD.is_active WHERE id = OLD.category_id;
    UPDATE categories SET active_products = active_products + NEW.is_active WHERE id = NEW.category_id;
END;
