//! What every handler can reach: the database, settings, token keys and the mailer.

use std::{sync::Arc, time::Instant};

use crate::{accounts::tokens::TokenKeys, config::Settings, db::Db, mail::Mailer};

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub tokens: Arc<TokenKeys>,
    pub mailer: Arc<dyn Mailer>,
    pub started_at: Instant,
}
