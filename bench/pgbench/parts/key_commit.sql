-- The Idempotency-Key row, last, then the commit (src/orders/checkout/handlers.rs).
INSERT INTO idempotency_keys (user_id, idempotency_key, fingerprint, status, order_id, response_status, created_at) VALUES (:uid, 'k' || :oid, 'fp0123456789abcdef0123456789abcdef', 'completed', :oid, 201, 1765000000000000) ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id;
COMMIT;
