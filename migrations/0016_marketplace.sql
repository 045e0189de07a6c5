-- The services marketplace (SPEC §3.12): providers sell services; a client posts a request,
-- providers propose, the client accepts one and the work runs as a contract with appointments.
--
-- Ids are UUIDs stored as their lowercase hyphenated text (`Any` has no UUID type), made by the
-- server. Money is integer cents, times epoch micros, as everywhere else. Counters that the API
-- shows (ratings, likes, proposals) are kept in the row by the same transaction that changes
-- what they count, so a list never aggregates.

CREATE TABLE service_categories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE skills (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX companies_owner_idx ON companies (owner_id);

-- One provider profile per user (UNIQUE user_id makes that hold under racing creates). The
-- rating is kept as a sum and a count of the comments on the provider's services.
CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    company_id TEXT REFERENCES companies (id) ON DELETE SET NULL,
    hourly_rate_cents BIGINT,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    reviews_count BIGINT NOT NULL DEFAULT 0,
    is_verified {{bool}} NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX providers_company_idx ON providers (company_id);
CREATE INDEX providers_created_idx ON providers (created_at);

CREATE TABLE provider_skills (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    skill_id TEXT NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    PRIMARY KEY (provider_id, skill_id)
);
CREATE INDEX provider_skills_skill_idx ON provider_skills (skill_id);

-- `search_text` is what full-text search reads beside the title: the description, the
-- provider's display name, its skills and the category name, rewritten by every write that
-- changes one of them (0017 indexes it per engine).
CREATE TABLE services (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    category_id TEXT REFERENCES service_categories (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_from_cents BIGINT NOT NULL,
    price_unit TEXT NOT NULL CHECK (price_unit IN ('fixed', 'hour', 'day')),
    duration_minutes BIGINT,
    is_active {{bool}} NOT NULL DEFAULT TRUE,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    reviews_count BIGINT NOT NULL DEFAULT 0,
    likes_count BIGINT NOT NULL DEFAULT 0,
    views_count BIGINT NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX services_provider_idx ON services (provider_id, created_at);
CREATE INDEX services_category_idx ON services (category_id, created_at);
CREATE INDEX services_created_idx ON services (created_at);

-- One like per user and service: the key makes a racing second like a no-op, so the toggle
-- and `likes_count` stay in step.
CREATE TABLE service_likes (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (service_id, user_id)
);
CREATE INDEX service_likes_user_idx ON service_likes (user_id);

-- A client's request for work. `deadline` is a calendar date (`YYYY-MM-DD`), or null.
CREATE TABLE service_requests (
    id TEXT PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id TEXT REFERENCES service_categories (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    budget_min_cents BIGINT,
    budget_max_cents BIGINT,
    deadline TEXT,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'awarded', 'closed', 'cancelled')),
    proposals_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX service_requests_client_idx ON service_requests (client_id, created_at);
CREATE INDEX service_requests_status_idx ON service_requests (status, created_at);

-- One pending proposal per provider and request: a partial unique index (both engines have
-- them), so a withdrawn or rejected proposal doesn't stop a new one.
CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    service_id TEXT REFERENCES services (id) ON DELETE SET NULL,
    price_cents BIGINT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    estimated_days BIGINT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'rejected', 'withdrawn')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX proposals_one_pending_idx ON proposals (request_id, provider_id)
    WHERE status = 'pending';
CREATE INDEX proposals_request_idx ON proposals (request_id, created_at);
CREATE INDEX proposals_provider_idx ON proposals (provider_id, created_at);

-- One contract per request and per proposal: the unique keys are the last guard behind the
-- accept transaction's conditional updates.
CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE REFERENCES service_requests (id) ON DELETE CASCADE,
    proposal_id TEXT NOT NULL UNIQUE REFERENCES proposals (id) ON DELETE CASCADE,
    client_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    price_cents BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'delivered', 'completed', 'disputed', 'cancelled')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contracts_client_idx ON contracts (client_id, created_at);
CREATE INDEX contracts_provider_idx ON contracts (provider_id, created_at);
CREATE INDEX contracts_status_idx ON contracts (status, updated_at);

-- Every status a contract took, the first (`active`, no `from_status`) included.
CREATE TABLE contract_status_history (
    id {{pk}},
    contract_id TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    from_status TEXT,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    changed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contract_status_history_contract_idx ON contract_status_history (contract_id, id);

-- A client's comment (with a rating) on a service, one per completed contract.
CREATE TABLE service_comments (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    contract_id TEXT NOT NULL UNIQUE REFERENCES contracts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX service_comments_service_idx ON service_comments (service_id, created_at);

-- `provider_id` is the contract's, copied so "this provider's confirmed appointments" is one
-- index range; confirmations of one provider are serialised on the provider row.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    proposed_by BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL CHECK (ends_at > starts_at),
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'confirmed', 'cancelled', 'done')),
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX appointments_contract_idx ON appointments (contract_id, starts_at);
CREATE INDEX appointments_provider_confirmed_idx ON appointments (provider_id, starts_at)
    WHERE status = 'confirmed';
