-- `POST cart/add/`: one upsert of the line, outside a transaction (src/cart/store.rs).
\set uid random(1, :users)
\set pid random(1, :products)
SELECT id AS cid FROM carts WHERE user_id = :uid \gset
INSERT INTO cart_items (cart_id, product_id, quantity, created_at, updated_at) VALUES (:cid, :pid, 1, 1765000000000000, 1765000000000000) ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_items.quantity + excluded.quantity, updated_at = excluded.updated_at WHERE cart_items.quantity + excluded.quantity <= 10000 RETURNING id, quantity;
