-- Catalog: hierarchical categories, brands, products and their images.
-- Money is integer minor units (cents).

CREATE TABLE categories (
    id {{pk}},
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    -- RESTRICT: a category with children can't be deleted (the API answers 409 first).
    parent_id BIGINT REFERENCES categories (id) ON DELETE RESTRICT,
    created_at BIGINT NOT NULL
);
CREATE INDEX categories_parent_idx ON categories (parent_id);
CREATE INDEX categories_name_idx ON categories (name);

CREATE TABLE brands (
    id {{pk}},
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX brands_name_idx ON brands (name);

CREATE TABLE products (
    id {{pk}},
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL CHECK (price_cents > 0),
    -- RESTRICT: products are never cascade-deleted with their category.
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    brand_id BIGINT REFERENCES brands (id) ON DELETE SET NULL,
    stock_quantity BIGINT NOT NULL DEFAULT 0 CHECK (stock_quantity >= 0),
    is_active {{bool}} NOT NULL DEFAULT TRUE,
    is_featured {{bool}} NOT NULL DEFAULT FALSE,
    -- Maintained by review writes so a product page never aggregates reviews.
    average_rating DOUBLE PRECISION NOT NULL DEFAULT 0,
    reviews_count BIGINT NOT NULL DEFAULT 0,
    -- Description plus category and brand names: what full-text search indexes beside the title.
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One index per filter and ordering the product list offers.
CREATE INDEX products_active_created_idx ON products (is_active, created_at);
CREATE INDEX products_created_idx ON products (created_at);
CREATE INDEX products_category_idx ON products (category_id);
CREATE INDEX products_brand_idx ON products (brand_id);
CREATE INDEX products_price_idx ON products (price_cents);
CREATE INDEX products_title_idx ON products (title);
CREATE INDEX products_stock_idx ON products (stock_quantity);
CREATE INDEX products_rating_idx ON products (average_rating);
CREATE INDEX products_featured_idx ON products (is_featured, created_at);

CREATE TABLE product_images (
    id {{pk}},
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    thumbnail_path TEXT NOT NULL,
    alt_text TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position);
