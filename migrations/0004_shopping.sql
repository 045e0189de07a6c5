-- Shopping: carts, orders with their lines and status history, payments, idempotency keys and
-- the stock-movement log. Money is integer minor units (cents); timestamps are epoch micros.

-- One cart per user, enforced here so racing first requests can't create two (the Django defect).
CREATE TABLE carts (
    id {{pk}},
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per product in a cart: adding the same product again upserts into this row.
CREATE TABLE cart_items (
    id {{pk}},
    cart_id BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    created_at BIGINT NOT NULL,
    UNIQUE (cart_id, product_id)
);
CREATE INDEX cart_items_product_idx ON cart_items (product_id);

CREATE TABLE orders (
    id {{pk}},
    order_number TEXT NOT NULL UNIQUE,
    -- RESTRICT: order history outlives nothing silently; users are deactivated, not deleted.
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'processing', 'shipped', 'delivered', 'completed', 'cancelled', 'failed')),
    payment_status TEXT NOT NULL CHECK (payment_status IN ('unpaid', 'pending', 'paid', 'refunded')),
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    -- A JSON snapshot of the address at purchase time (later address edits don't rewrite history).
    shipping_address TEXT,
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
CREATE INDEX orders_created_idx ON orders (created_at);

-- Lines snapshot the title and unit price; RESTRICT keeps ordered products from being deleted.
CREATE TABLE order_items (
    id {{pk}},
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_title TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0),
    created_at BIGINT NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX order_items_product_idx ON order_items (product_id);

CREATE TABLE order_status_history (
    id {{pk}},
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id);

CREATE TABLE payments (
    id {{pk}},
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('authorizing', 'pending', 'captured', 'declined', 'refunded', 'cancelled', 'failed', 'abandoned')),
    provider_reference TEXT,
    amount_cents BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- At most one live payment per order: the claim that stops two concurrent payments both capturing.
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id)
    WHERE status IN ('authorizing', 'pending', 'captured');

-- Idempotency-Key claims for checkout, written inside the checkout transaction.
CREATE TABLE idempotency_keys (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    -- sha256 of the canonical request body: a replay with another body is refused.
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed')),
    order_id BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    response_status BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, idempotency_key)
);

-- Every change of a product's stock, so stock always equals the sum of its movements.
CREATE TABLE stock_movements (
    id {{pk}},
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    order_id BIGINT REFERENCES orders (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, created_at);
