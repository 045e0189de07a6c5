//! The email accounts sends directly: a reset link. (The password-changed notice is queued with
//! its notification: `notices.rs`.)

use crate::mail::OutgoingEmail;

/// The email carrying a reset `link` to `to`.
pub fn reset_link(to: &str, link: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.to_owned(),
        subject: "Reset your Nexus Commerce password".to_owned(),
        body: format!(
            "Someone asked to reset the password of your Nexus Commerce account.\n\n\
             To choose a new password, open this link within one hour:\n{link}\n\n\
             The link works once. If you did not ask for this, ignore this email."
        ),
    }
}
