//! Nexus Commerce: a versioned JSON REST API for a shop, on SQLite or PostgreSQL.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod analytics;
pub mod cache;
pub mod cart;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod error;
pub mod http;
pub mod inventory;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod media;
pub mod money;
pub mod notifications;
pub mod notify;
pub mod ops;
pub mod orders;
pub mod payment_gateway;
pub mod product_images;
pub mod random_token;
pub mod redis_client;
pub mod reviews;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
pub mod tokens;
pub mod track;
pub mod validation;
