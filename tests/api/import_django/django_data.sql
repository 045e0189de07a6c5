-- A small Django shop as it is found in real databases, with every awkward case the importer must
-- handle (docs/migrating-from-django.md). The same statements run on SQLite and PostgreSQL (the
-- PostgreSQL session's time zone is UTC, so the naive timestamps below are UTC on both). Ids are
-- non-contiguous on purpose, so "ids are kept" means something. The expected outcome of every
-- row is in django_source.rs.

-- Every usable password is "Old-Django-Pass-42" (DJANGO_PASSWORD in django_source.rs), hashed as
-- Django does; each digest was computed with
--   python3 -c 'import hashlib, base64; print(base64.b64encode(hashlib.pbkdf2_hmac(
--       "sha256", b"Old-Django-Pass-42", b"<salt>", <iterations>)).decode())'
-- 600000 iterations: Django 4.2; 260000: an older row (Django 3.2); 1000000: Django 5.2.
INSERT INTO users_user (id, password, last_login, is_superuser, username, first_name, last_name,
                        email, is_staff, is_active, date_joined) VALUES
    (10, 'pbkdf2_sha256$600000$x7Qm2LpR9sVtKw3ZbN8cHd$ocadIaxeI86GZUWlAkMUz8z2mWOX5nLvR6npcYpgN2c=',
     '2024-05-01 08:00:00', TRUE, 'owner', 'Shop', 'Owner', 'owner@shop.example', TRUE, TRUE,
     '2023-06-01 09:00:00'),
    (12, 'pbkdf2_sha256$260000$G5hT8rE2wQ1aZ6xC3vB9nM$3PN28/aBkwkwRIWKor2GKxZMhFGSeCHz2pfo9Qneg2o=',
     NULL, FALSE, 'clerk', 'Sam', 'Clerk', 'clerk@shop.example', TRUE, TRUE, '2023-06-02 09:00:00'),
    (15, 'pbkdf2_sha256$600000$Fj4kP0aZqW9eRtY2uI7oLm$/JAVkMugJfCVf46DtKZM8jhjUuR8z5ky6Fr8D7nM290=',
     '2024-04-20 18:45:12.345678', FALSE, 'ada', 'Ada', 'Lovelace', 'ada@example.com', FALSE, TRUE,
     '2023-07-14 12:30:00'),
    (17, 'pbkdf2_sha256$1000000$Ps0Lk9Jh8Gf7Ds6Aq5Wz4X$h64ErnkSkeWR2I+m5laWhNrRCfknfIQ+u5TdptqF/vY=',
     NULL, FALSE, 'grace', 'Grace', 'Hopper', 'grace@example.com', FALSE, TRUE,
     '2023-08-01 00:00:00'),
    -- An unusable password (set_unusable_password): this user can only reset it.
    (20, '!Xq2vLmT8kR4pZw9sNb3cYd6fGh1jKa5eUo7iPr0', NULL, FALSE, 'locked', 'Lock', 'Out',
     'locked@example.com', FALSE, TRUE, '2023-08-02 10:00:00'),
    -- Another hasher's password, which Nexus does not verify.
    (21, 'bcrypt_sha256$$2b$12$Q9wE8rT7yU6iO5pA4sD3fOeKj1Hh2Gg3Ff4Dd5Ss6Aa7Zz8Xx9Cc', NULL, FALSE,
     'bcrypted', 'Bea', 'Crypt', 'bcrypt@example.com', FALSE, TRUE, '2023-08-03 10:00:00'),
    -- No email: Nexus signs in by email, so skipped, and everything of this user with it.
    (23, 'pbkdf2_sha256$600000$x7Qm2LpR9sVtKw3ZbN8cHd$ocadIaxeI86GZUWlAkMUz8z2mWOX5nLvR6npcYpgN2c=',
     NULL, FALSE, 'noemail', 'No', 'Email', '', FALSE, TRUE, '2023-08-04 10:00:00'),
    -- Two emails that differ only in case: Django allowed both, Nexus keeps the lower id.
    (25, 'pbkdf2_sha256$600000$x7Qm2LpR9sVtKw3ZbN8cHd$ocadIaxeI86GZUWlAkMUz8z2mWOX5nLvR6npcYpgN2c=',
     NULL, FALSE, 'mixed1', 'Max', 'First', 'Max.Case@Example.com', FALSE, TRUE,
     '2023-08-05 10:00:00'),
    (26, 'pbkdf2_sha256$600000$Fj4kP0aZqW9eRtY2uI7oLm$/JAVkMugJfCVf46DtKZM8jhjUuR8z5ky6Fr8D7nM290=',
     NULL, FALSE, 'mixed2', 'Max', 'Second', 'max.case@example.com', FALSE, TRUE,
     '2023-08-06 10:00:00'),
    -- A deactivated account with an empty password field.
    (30, '', NULL, FALSE, 'gone', 'Gone', 'Away', 'gone@example.com', FALSE, FALSE,
     '2023-09-09 09:09:09');

INSERT INTO users_address (id, first_name, last_name, address_line_1, address_line_2, city,
                           postal_code, country, phone_number, is_default, user_id) VALUES
    -- Two defaults for Ada: the newest (104) stays the default.
    (101, 'Ada', 'Lovelace', '12 St James''s Square', '', 'London', 'SW1Y 4JH', 'GB', '', TRUE, 15),
    (104, 'Ada', 'Lovelace', 'Flat 2, 5 King''s Parade', 'Second floor', 'Cambridge', 'CB2 1ST',
     'GB', '+44 1223 000000', TRUE, 15),
    -- An empty city: skipped.
    (105, 'Grace', 'Hopper', '1 Navy Way', '', '', '20001', 'US', '', TRUE, 17),
    (107, 'Grace', 'Hopper', '2 Harbor Road', 'Apt 3', 'Arlington', '22201', 'US',
     '+1 703 555 0100', FALSE, 17),
    (108, 'No', 'Email', '3 Nowhere Lane', '', 'Leeds', 'LS1 1AA', 'GB', '', TRUE, 23),
    (110, 'Max', 'Second', '4 Case Street', '', 'York', 'YO1 7HH', 'GB', '', FALSE, 26);

INSERT INTO catalog_category (id, name, slug, description, created_at) VALUES
    (3, 'Electronics', 'electronics', 'Things with batteries.', '2023-06-01 10:00:00'),
    (5, 'Books', 'books', '', '2023-06-01 10:05:00'),
    (8, 'Garden', 'garden', 'Outdoors.', '2023-06-01 10:10:00');

-- Money is written as Django's SQLite adapter writes a Decimal (a string; SQLite's numeric
-- affinity then stores 199.99 as a REAL and 30.00 as the INTEGER 30).
INSERT INTO catalog_product (id, title, description, price, slug, is_active, created_at,
                             updated_at, category_id, image, stock_quantity) VALUES
    (40, 'Phone', 'A phone that fits in a pocket.', '199.99', 'phone', TRUE,
     '2023-06-10 10:00:00', '2024-01-02 03:04:05', 3, 'products/phone.jpg', 7),
    (41, 'Headphones', 'Closed-back, over-ear.', '19.99', 'headphones', TRUE,
     '2023-06-11 10:00:00', '2023-06-11 10:00:00', 3, '', 50),
    (43, 'A Long Novel', 'Nine hundred pages.', '12.50', 'a-long-novel', TRUE,
     '2023-06-12 10:00:00', '2023-06-12 10:00:00', 5, NULL, 3),
    -- A negative price (nothing in Django stops it): skipped, with its lines and reviews.
    (44, 'Broken discount', '', '-5.00', 'broken-discount', TRUE,
     '2023-06-13 10:00:00', '2023-06-13 10:00:00', 3, NULL, 10),
    -- Inactive, with an image file.
    (46, 'Old lamp', 'Discontinued.', '30.00', 'old-lamp', FALSE,
     '2023-06-14 10:00:00', '2023-06-14 10:00:00', 3, 'products/lamp.jpg', 0),
    -- No title: skipped.
    (47, '', 'An untitled draft.', '9.99', 'untitled', FALSE,
     '2023-06-15 10:00:00', '2023-06-15 10:00:00', 5, NULL, 1),
    -- An image path that leaves MEDIA_ROOT: the product is imported, its image is not.
    (48, 'Garden gnome', 'Cheerful.', '15.00', 'garden-gnome', TRUE,
     '2023-06-16 10:00:00', '2023-06-16 10:00:00', 8, '../secrets.jpg', 4);

INSERT INTO cart_cart (id, created_at, user_id) VALUES
    -- Ada has two carts (the Django race): merged into the oldest, 200.
    (200, '2024-03-01 10:00:00', 15),
    (203, '2024-03-05 10:00:00', 15),
    (205, '2024-03-06 10:00:00', NULL),
    (206, '2024-03-07 10:00:00', 23),
    (208, '2024-03-08 10:00:00', 17);

INSERT INTO cart_cartitem (id, quantity, cart_id, product_id) VALUES
    (300, 1, 200, 40),
    -- The same product on two lines of one cart: merged into 301 (2 + 3).
    (301, 2, 200, 41),
    (302, 3, 200, 41),
    -- Lines of Ada's second cart: 304 merges into 300, 305 moves to cart 200.
    (304, 2, 203, 40),
    (305, 1, 203, 43),
    (306, 0, 200, 43),
    (307, 1, 205, 40),
    (308, 1, 208, 44),
    (309, 2, 208, 46),
    -- 1 + 2 + 9999 phones: capped at the line maximum, 10000 (not at the stock of 7).
    (310, 9999, 200, 40),
    (311, 1, 206, 41);

INSERT INTO orders_order (id, status, payment_status, total_amount, created_at, updated_at,
                          user_id) VALUES
    (500, 'pending', 'unpaid', '59.97', '2024-01-15 10:00:00', '2024-01-15 10:00:00', 15),
    -- A total the lines don't add up to (1224.94): kept as Django had it.
    (502, 'processing', 'paid', '1234.56', '2024-02-01 09:30:00.250000', '2024-02-01 12:00:00', 15),
    (503, 'shipped', 'paid', '12.50', '2024-03-10 14:00:00', '2024-03-12 08:00:00', 15),
    (505, 'delivered', 'paid', '45.00', '2024-04-10 16:20:00', '2024-04-15 11:00:00', 15),
    (507, 'cancelled', 'unpaid', '0.00', '2024-04-20 19:00:00', '2024-04-21 09:00:00', 15),
    -- Half an hour before midnight UTC on New Year's Eve: the order number's date is that day.
    (508, 'completed', 'paid', '39.98', '2023-12-31 23:30:00', '2024-01-05 10:00:00', 17),
    (510, 'failed', 'unpaid', '199.99', '2024-05-02 07:00:00', '2024-05-02 07:05:00', 17),
    (511, 'pending', 'unpaid', '10.00', '2024-05-03 07:00:00', '2024-05-03 07:00:00', 23),
    (512, 'refunded', 'paid', '19.99', '2024-05-04 07:00:00', '2024-05-04 07:00:00', 17),
    (513, 'pending', 'partial', '19.99', '2024-05-05 07:00:00', '2024-05-05 07:00:00', 17),
    (514, 'pending', 'unpaid', '-10.00', '2024-05-06 07:00:00', '2024-05-06 07:00:00', 17);

INSERT INTO orders_orderitem (id, quantity, unit_price, subtotal, order_id, product_id) VALUES
    (600, 3, '19.99', '59.97', 500, 41),
    (601, 6, '199.99', '1199.94', 502, 40),
    (602, 2, '12.50', '25.00', 502, 43),
    (603, 1, '12.50', '12.50', 503, 43),
    -- The negative-price product, bought when its price was still 5.00.
    (604, 1, '5.00', '5.00', 503, 44),
    (606, 1, '30.00', '30.00', 505, 46),
    -- A Django subtotal that is not quantity x unit price (a discount): counted, not kept.
    (607, 1, '19.99', '15.00', 505, 41),
    (608, 0, '199.99', '0.00', 507, 40),
    (609, 1, '-1.00', '-1.00', 507, 41),
    (610, 2, '19.99', '39.98', 508, 41),
    (611, 1, '199.99', '199.99', 510, 40),
    (612, 1, '10.00', '10.00', 511, 43);

INSERT INTO reviews_review (id, rating, comment, created_at, product_id, user_id) VALUES
    (700, 5, 'Great phone, fast delivery.', '2024-02-10 10:00:00', 40, 15),
    (701, 4, 'Good value.', '2024-02-11 10:00:00', 40, 17),
    (703, 1, 'It charged me.', '2024-03-11 10:00:00', 44, 15),
    (704, 6, 'Eleven out of ten!', '2024-03-12 10:00:00', 41, 17),
    (705, 0, 'test', '2024-03-13 10:00:00', 41, 12),
    (706, 4, 'Nice read.', '2024-03-14 10:00:00', 43, 23),
    (708, 3, '', '2024-03-15 10:00:00', 43, 15);

INSERT INTO django_migrations (id, app, name, applied) VALUES
    (1, 'contenttypes', '0001_initial', '2023-06-01 08:00:00'),
    (2, 'users', '0001_initial', '2023-06-01 08:00:01'),
    (3, 'catalog', '0003_product_image_stock_quantity', '2023-06-01 08:00:02');
