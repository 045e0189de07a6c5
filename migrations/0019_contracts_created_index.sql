-- The staff overview counts the contracts created in a period (docs/dashboard.md): an index on
-- `created_at` alone makes that a range scan instead of a read of every contract.
CREATE INDEX contracts_created_idx ON contracts (created_at);
