//! The email accounts sends inline: the notice that a password changed.

use crate::{mail::OutgoingEmail, state::AppState};

/// Tells the account owner their password changed, so a takeover doesn't go unnoticed.
/// A mail failure is logged, not answered: the password change itself succeeded.
pub async fn send_password_changed(state: &AppState, to: &str) {
    let email = OutgoingEmail {
        to: to.to_owned(),
        subject: "Your Nexus Commerce password was changed".to_owned(),
        body: "The password of your Nexus Commerce account was just changed, and every signed-in \
               session was signed out.\n\nIf this was not you, reset your password now and contact support."
            .to_owned(),
    };
    if let Err(err) = state.mailer.send(email).await {
        tracing::error!(error = ?err, "could not send the password-changed email");
    }
}
