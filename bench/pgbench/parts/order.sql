-- `POST orders/` before the notice (1b4c98b): the cart taken, the stock taken, the order, its
-- line, its stock movement and its first history row (src/orders/checkout/place.rs).
BEGIN;
UPDATE carts SET updated_at = 1765000000000001 WHERE user_id = :uid RETURNING id;
DELETE FROM cart_items WHERE cart_id = :cid RETURNING product_id, quantity;
UPDATE products SET stock_quantity = stock_quantity - 1 WHERE id = :pid AND is_active = TRUE AND stock_quantity >= 1 RETURNING title, price_cents, stock_quantity;
INSERT INTO orders (id, order_number, user_id, status, payment_status, total_cents, shipping_address, notes, created_at, updated_at) SELECT n.id, 'NX-20261206-' || lpad(n.id::text, 6, '0'), :uid, 'pending', 'unpaid', 1999, '{"first_name":"Bench","last_name":"Buyer","address_line_1":"1 Load Street","address_line_2":"","city":"Throughput","postal_code":"10101","country":"NL","phone_number":""}', '', 1765000000000000, 1765000000000000 FROM (SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS id) n RETURNING id AS oid, order_number
\gset
INSERT INTO order_items (order_id, product_id, product_title, quantity, unit_price_cents, created_at) VALUES (:oid, :pid, 'Some product title here', 1, 1999, 1765000000000000) RETURNING id;
INSERT INTO stock_movements (product_id, delta, reason, actor_id, order_id, created_at) VALUES (:pid, -1, 'order', :uid, :oid, 1765000000000000) RETURNING id, product_id, delta, reason, actor_id, order_id, created_at;
INSERT INTO order_status_history (order_id, status, note, actor_id, created_at) VALUES (:oid, 'pending', 'Order placed.', :uid, 1765000000000000);
