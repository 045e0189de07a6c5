//! Black-box HTTP tests: each test starts the real server on a random port with a fresh database
//! (a temporary SQLite file, and a fresh PostgreSQL database when `TEST_DATABASE_URL` is set).

mod fixtures;
mod helpers;

mod access_log;
mod accounts;
mod analytics;
mod cache;
mod cart;
mod catalog;
mod check;
mod compression;
mod dashboard;
mod etag;
mod health;
mod http_conventions;
mod import_django;
mod input;
mod inventory;
mod jobs;
mod lifecycle;
mod log_capture;
mod mail;
mod marketplace;
mod metrics;
mod nexus_process;
mod notifications;
mod openapi;
mod orders;
mod product_images;
mod production;
mod rate_limits;
mod resilience;
mod reviews;
mod security;
mod security_log;
mod seed;
mod smtp_server;
mod snapshot;
mod test_counts;
