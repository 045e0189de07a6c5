//! Registration and session bodies: `auth/users/`, `auth/jwt/{create,refresh,verify}/`, `auth/logout/`.

use utoipa::ToSchema;

use crate::validation::{messages, Form, FromForm, NAME_MAX};

/// `POST auth/users/` body. Any other key (`role`, `is_staff`...) is ignored: a new account is
/// always a customer.
// `Option`s so the handler's checks (a taken email, the password rules) join the field errors:
// it is received as a `Draft`; after `finish` the three required fields are `Some`.
#[derive(Debug, ToSchema)]
pub struct RegisterRequest {
    #[schema(value_type = String, required = true)]
    pub email: Option<String>,
    #[schema(value_type = String, required = true)]
    pub username: Option<String>,
    #[schema(value_type = String, required = true)]
    pub password: Option<String>,
    /// Must equal `password` when given.
    pub password_confirm: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl FromForm for RegisterRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let email = form.email("email", true);
        let username = form.username("username", true);
        let password = form.secret("password");
        let password_confirm = super::optional_secret(form, "password_confirm");
        let first_name = form.text("first_name", false, true, Some(NAME_MAX));
        let last_name = form.text("last_name", false, true, Some(NAME_MAX));
        Some(Self {
            email,
            username,
            password,
            password_confirm,
            first_name,
            last_name,
        })
    }
}

/// `POST auth/jwt/create/` body.
#[derive(Debug, ToSchema)]
pub struct LoginRequest {
    /// Matched ignoring case.
    pub email: String,
    pub password: String,
}

impl FromForm for LoginRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let email = form.text("email", true, false, None);
        let password = form.secret("password");
        Some(Self {
            email: email?,
            password: password?,
        })
    }
}

/// `POST auth/jwt/refresh/` body.
#[derive(Debug, ToSchema)]
pub struct RefreshRequest {
    pub refresh: String,
}

impl FromForm for RefreshRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let refresh = form.text("refresh", true, false, None)?;
        Some(Self { refresh })
    }
}

/// `POST auth/jwt/verify/` body.
#[derive(Debug, ToSchema)]
pub struct VerifyRequest {
    /// An access or refresh token.
    pub token: String,
}

impl FromForm for VerifyRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let token = form.text("token", true, false, None)?;
        Some(Self { token })
    }
}

/// `POST auth/logout/` body: the refresh token under either name the Django clients used.
#[derive(Debug, ToSchema)]
pub struct LogoutRequest {
    pub refresh: Option<String>,
    pub refresh_token: Option<String>,
}

impl LogoutRequest {
    /// The token given, under whichever name (`refresh` first).
    pub fn token(self) -> String {
        self.refresh.or(self.refresh_token).unwrap_or_default()
    }
}

impl FromForm for LogoutRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        // Either name will do (`refresh` first), but one is required; its errors are named
        // `refresh`, as DRF's serializer names it.
        let refresh = form.text("refresh", false, true, None);
        let refresh_token = form.text("refresh_token", false, true, None);
        if form.errors.has("refresh") || form.errors.has("refresh_token") {
            return None;
        }
        match refresh.as_deref().or(refresh_token.as_deref()) {
            None => form.fail("refresh", messages::REQUIRED),
            Some("") => form.fail("refresh", messages::NOT_BLANK),
            Some(_) => Some(Self {
                refresh,
                refresh_token,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::{error::ApiError, validation};

    fn logout_errors(body: Value) -> Value {
        match validation::parse::<LogoutRequest>(body, false) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn logout_takes_either_name_and_names_its_errors_refresh() {
        let body = json!({"refresh_token": "abc"});
        let request = validation::parse::<LogoutRequest>(body, false).unwrap();
        assert_eq!(request.token(), "abc");
        assert_eq!(
            logout_errors(json!({})),
            json!({"refresh": [messages::REQUIRED]})
        );
        assert_eq!(
            logout_errors(json!({"refresh_token": " "})),
            json!({"refresh": [messages::NOT_BLANK]})
        );
    }
}
