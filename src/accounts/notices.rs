//! What accounts tells a user (SPEC §3.6): that their password changed — a `security`
//! notification and email, written in the transaction that changes the hash, so a takeover can't
//! change the password without the owner hearing of it. The email goes out whatever the
//! preferences say.

use sqlx::AnyConnection;

use crate::{
    mail::Message,
    notify::{notify_user, Announcement, Notice, NotificationType},
};

/// The password of `user_id` changed (by them, or through a reset link), and every session ended.
pub async fn password_changed(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Announcement, sqlx::Error> {
    let notice = Notice {
        kind: NotificationType::Security,
        title: "Password changed".to_owned(),
        message: "Your password was changed and every signed-in session was signed out. If this \
                  was not you, reset your password now and contact support."
            .to_owned(),
        action_url: String::new(),
        email: Some(Message::PasswordChanged),
    };
    notify_user(conn, user_id, &notice).await
}
