-- Reviews: one per user and product, helpful votes (one per user and review) and moderation
-- reports. Timestamps are epoch micros.

-- UNIQUE (user_id, product_id) is what makes "one review per product" hold under racing creates.
-- CASCADE on product: a product is only hard-deleted when nothing was ordered; its reviews go too.
CREATE TABLE reviews (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    -- Maintained with the votes below, in the same transaction.
    helpful_count BIGINT NOT NULL DEFAULT 0,
    -- Set by staff moderation: hidden reviews leave public lists, stats and the product rating.
    is_hidden {{bool}} NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, product_id)
);
CREATE INDEX reviews_product_created_idx ON reviews (product_id, created_at);
CREATE INDEX reviews_created_idx ON reviews (created_at);

-- One helpful vote per user and review: the constraint makes a repeated or racing vote a no-op.
CREATE TABLE review_votes (
    id {{pk}},
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (review_id, user_id)
);

CREATE TABLE review_reports (
    id {{pk}},
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (reason IN
        ('inappropriate_content', 'spam', 'fake_review', 'offensive_language', 'other')),
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX review_reports_created_idx ON review_reports (created_at);
CREATE INDEX review_reports_review_idx ON review_reports (review_id);
