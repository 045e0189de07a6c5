//! What every handler can reach: the database, settings, token keys, the mailer and media storage.

use std::{sync::Arc, time::Instant};

use crate::{
    accounts::tokens::TokenKeys, config::Settings, db::Db, mail::Mailer, media::MediaStore,
};

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub tokens: Arc<TokenKeys>,
    pub mailer: Arc<dyn Mailer>,
    /// Where uploaded files (product images) are stored.
    pub media: Arc<dyn MediaStore>,
    pub started_at: Instant,
}
