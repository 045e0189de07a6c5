//! Password bodies: `auth/password/change/`, `auth/password/reset/` and its `confirm/`.

use utoipa::ToSchema;

use crate::validation::{Form, FromForm};

/// `POST auth/password/change/` body.
// `Option`s so a wrong old password and the password rules join the field errors: it is
// received as a `Draft`; after `finish` every field is `Some`.
#[derive(Debug, ToSchema)]
pub struct ChangePasswordRequest {
    #[schema(value_type = String, required = true)]
    pub old_password: Option<String>,
    #[schema(value_type = String, required = true)]
    pub new_password: Option<String>,
    #[schema(value_type = String, required = true)]
    pub new_password_confirm: Option<String>,
}

impl FromForm for ChangePasswordRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let old_password = form.secret("old_password");
        let new_password = form.secret("new_password");
        let new_password_confirm = form.secret("new_password_confirm");
        Some(Self {
            old_password,
            new_password,
            new_password_confirm,
        })
    }
}

/// `POST auth/password/reset/` body.
#[derive(Debug, ToSchema)]
pub struct ResetRequest {
    pub email: String,
}

impl FromForm for ResetRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let email = form.email("email", true)?;
        Some(Self { email })
    }
}

/// `POST auth/password/reset/confirm/` body: `uid` and `token` exactly as the link carried them.
#[derive(Debug, ToSchema)]
pub struct ResetConfirmRequest {
    pub uid: String,
    pub token: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

impl FromForm for ResetConfirmRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let uid = form.text("uid", true, false, None);
        let token = form.text("token", true, false, None);
        let new_password = form.secret("new_password");
        let new_password_confirm = form.secret("new_password_confirm");
        Some(Self {
            uid: uid?,
            token: token?,
            new_password: new_password?,
            new_password_confirm: new_password_confirm?,
        })
    }
}
