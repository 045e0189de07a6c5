-- Accounts: users, refresh-token families, password-reset tokens, addresses.
-- Timestamps are microseconds since the Unix epoch (BIGINT); see src/db/types.rs.
-- Boolean columns are declared with the bool placeholder: BOOLEAN on PostgreSQL, a 0/1 INTEGER on
-- SQLite (see src/db/migrations.rs).

CREATE TABLE users (
    id {{pk}},
    email TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'staff', 'admin')),
    is_active {{bool}} NOT NULL DEFAULT TRUE,
    date_joined BIGINT NOT NULL,
    last_login BIGINT
);
-- Emails are unique whatever their case; lookups use the same expression.
CREATE UNIQUE INDEX users_email_lower_key ON users (LOWER(email));
CREATE INDEX users_date_joined_idx ON users (date_joined);

-- One row per issued refresh token. A rotation revokes the old row and adds a new one in the
-- same family; presenting a revoked token revokes the whole family (reuse detection).
CREATE TABLE refresh_tokens (
    jti TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Only a hash of the emailed token is stored, so a database leak cannot reset passwords.
CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

CREATE TABLE addresses (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    address_line_1 TEXT NOT NULL,
    address_line_2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    phone_number TEXT NOT NULL DEFAULT '',
    is_default {{bool}} NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX addresses_user_idx ON addresses (user_id);
-- At most one default address per user, enforced by the database rather than by a racy check.
CREATE UNIQUE INDEX addresses_one_default_per_user ON addresses (user_id) WHERE is_default;
