-- The Django shop backend's tables as its migrations create them on SQLite (DJANGO-OBSERVED.md
-- §10), written by hand for the importer's tests and benchmark. Django's SQLite DDL: `integer`
-- AUTOINCREMENT ids, `datetime` text in UTC, `decimal` money, `bool` flags, foreign keys inline
-- and DEFERRABLE INITIALLY DEFERRED. Later columns last, as in a real database.

CREATE TABLE "users_user" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "password" varchar(128) NOT NULL,
    "last_login" datetime NULL,
    "is_superuser" bool NOT NULL,
    "username" varchar(150) NOT NULL UNIQUE,
    "first_name" varchar(150) NOT NULL,
    "last_name" varchar(150) NOT NULL,
    "email" varchar(254) NOT NULL UNIQUE,
    "is_staff" bool NOT NULL,
    "is_active" bool NOT NULL,
    "date_joined" datetime NOT NULL
);

CREATE TABLE "users_address" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "first_name" varchar(100) NOT NULL,
    "last_name" varchar(100) NOT NULL,
    "address_line_1" varchar(255) NOT NULL,
    "address_line_2" varchar(255) NOT NULL,
    "city" varchar(100) NOT NULL,
    "postal_code" varchar(20) NOT NULL,
    "country" varchar(100) NOT NULL,
    "phone_number" varchar(20) NOT NULL,
    "is_default" bool NOT NULL,
    "user_id" bigint NOT NULL REFERENCES "users_user" ("id") DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE "catalog_category" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(255) NOT NULL UNIQUE,
    "slug" varchar(255) NOT NULL UNIQUE,
    "description" text NOT NULL,
    "created_at" datetime NOT NULL
);

CREATE TABLE "catalog_product" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" varchar(255) NOT NULL,
    "description" text NOT NULL,
    "price" decimal NOT NULL,
    "slug" varchar(255) NOT NULL UNIQUE,
    "is_active" bool NOT NULL,
    "created_at" datetime NOT NULL,
    "updated_at" datetime NOT NULL,
    "category_id" bigint NOT NULL REFERENCES "catalog_category" ("id") DEFERRABLE INITIALLY DEFERRED,
    "image" varchar(100) NULL,
    "stock_quantity" integer unsigned NOT NULL CHECK ("stock_quantity" >= 0)
);

CREATE TABLE "cart_cart" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "created_at" datetime NOT NULL,
    "user_id" bigint NULL REFERENCES "users_user" ("id") DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE "cart_cartitem" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "quantity" integer unsigned NOT NULL CHECK ("quantity" >= 0),
    "cart_id" bigint NOT NULL REFERENCES "cart_cart" ("id") DEFERRABLE INITIALLY DEFERRED,
    "product_id" bigint NOT NULL REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE "orders_order" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "status" varchar(20) NOT NULL,
    "payment_status" varchar(20) NOT NULL,
    "total_amount" decimal NOT NULL,
    "created_at" datetime NOT NULL,
    "updated_at" datetime NOT NULL,
    "user_id" bigint NOT NULL REFERENCES "users_user" ("id") DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE "orders_orderitem" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "quantity" integer unsigned NOT NULL CHECK ("quantity" >= 0),
    "unit_price" decimal NOT NULL,
    "subtotal" decimal NOT NULL,
    "order_id" bigint NOT NULL REFERENCES "orders_order" ("id") DEFERRABLE INITIALLY DEFERRED,
    "product_id" bigint NOT NULL REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE "reviews_review" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "rating" integer NOT NULL,
    "comment" text NOT NULL,
    "created_at" datetime NOT NULL,
    "product_id" bigint NOT NULL REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED,
    "user_id" bigint NOT NULL REFERENCES "users_user" ("id") DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "reviews_review_user_id_product_id_uniq" UNIQUE ("user_id", "product_id")
);

CREATE INDEX "users_address_user_id_idx" ON "users_address" ("user_id");
CREATE INDEX "catalog_product_category_id_idx" ON "catalog_product" ("category_id");
CREATE INDEX "cart_cart_user_id_idx" ON "cart_cart" ("user_id");
CREATE INDEX "cart_cartitem_cart_id_idx" ON "cart_cartitem" ("cart_id");
CREATE INDEX "cart_cartitem_product_id_idx" ON "cart_cartitem" ("product_id");
CREATE INDEX "orders_order_user_id_idx" ON "orders_order" ("user_id");
CREATE INDEX "orders_orderitem_order_id_idx" ON "orders_orderitem" ("order_id");
CREATE INDEX "orders_orderitem_product_id_idx" ON "orders_orderitem" ("product_id");
CREATE INDEX "reviews_review_product_id_idx" ON "reviews_review" ("product_id");

CREATE TABLE "django_migrations" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "app" varchar(255) NOT NULL,
    "name" varchar(255) NOT NULL,
    "applied" datetime NOT NULL
);
