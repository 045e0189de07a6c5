//! Reset links: the emailed token (only its SHA-256 is stored), the `uid` naming the account, and
//! the `password_reset` job that makes a link and mails it.
//!
//! The request queues `{"user_id": N}` and nothing else; the job makes the token when the email
//! goes out, so neither the job table nor the link table ever holds a usable token. The job
//! renders and sends the email itself rather than queueing an `email` job, which would keep the
//! link in clear in the queue until sent. Its retries are the job's retries: each attempt makes a
//! fresh link, which is harmless because a link that was never sent is known to nobody (and every
//! link of the account is voided by the next password change). docs/notifications.md.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::{
    accounts::store::{reset_links, users},
    db::now_micros,
    jobs::{self, Job, Kind, NewJob},
    mail::{Email, Message},
    random_token::RandomToken,
    state::AppState,
};

pub(super) use crate::random_token::hash as hash_token;

/// How long a reset link works.
const TOKEN_LIFETIME_MICROS: i64 = 3600 * 1_000_000;

/// The `password_reset` job's payload: whom to send a link to, never the link.
#[derive(Debug, Serialize, Deserialize)]
struct ResetJob {
    user_id: i64,
}

/// Django's `urlsafe_base64_encode(force_bytes(pk))`: the id's decimal digits, base64url, unpadded.
fn encode_uid(user_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(user_id.to_string())
}

/// The user id a link's `uid` names.
pub(super) fn decode_uid(uid: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(uid.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// Queues a reset link for `user_id` on `conn`.
pub(super) async fn queue(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    jobs::enqueue(
        conn,
        NewJob::new(Kind::PasswordReset, &ResetJob { user_id }),
    )
    .await
}

/// Runs a `password_reset` job: stores a new link's hash and mails the link. An account
/// deactivated or deleted since the request gets nothing.
pub async fn send_reset_link(state: AppState, job: Job) -> anyhow::Result<()> {
    let ResetJob { user_id } = job.payload()?;
    let Some(user) = users::find_by_id(&state.db.pool, user_id)
        .await?
        .filter(|user| user.is_active.0)
    else {
        tracing::info!(
            user_id,
            "no reset link sent: the account is gone or inactive"
        );
        return Ok(());
    };
    let RandomToken { text: token, hash } = RandomToken::generate();
    let expires_at = now_micros() + TOKEN_LIFETIME_MICROS;
    reset_links::insert(&state.db.pool, &hash, user.id, expires_at).await?;
    let frontend_url = &state.settings.frontend_url;
    let reset_url = format!(
        "{frontend_url}/reset-password/{}/{token}",
        encode_uid(user.id)
    );
    let email = Email {
        to: user.email,
        message: Message::PasswordReset { reset_url },
    };
    // The one place accounts hands a message to the mailer (with the job's stable Message-ID).
    state.mailer.deliver(&email, frontend_url, &job).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_djangos_base64_of_the_decimal_id() {
        assert_eq!(encode_uid(1), "MQ");
        assert_eq!(encode_uid(42), "NDI");
        assert_eq!(decode_uid("NDI"), Some(42));
        assert_eq!(decode_uid("NDI="), Some(42));
        assert_eq!(decode_uid("!!"), None);
    }

    #[test]
    fn the_queued_payload_is_the_user_id_alone() {
        let payload = serde_json::to_value(ResetJob { user_id: 7 }).unwrap();
        assert_eq!(payload, serde_json::json!({"user_id": 7}));
    }
}
