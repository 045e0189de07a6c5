-- A cart add writes only its line, in one statement outside a transaction (the cart row is
-- neither read for update nor touched), so each line records when it last changed and the cart
-- answers the latest of its own `updated_at` and its lines'.
ALTER TABLE cart_items ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE cart_items SET updated_at = created_at;
