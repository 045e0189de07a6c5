//! User bodies: the profile (`auth/users/me/`) and an admin's change (`admin/users/{id}/`).

use utoipa::ToSchema;

use crate::{
    accounts::role::Role,
    validation::{messages, Form, FromForm, NAME_MAX},
};

/// `PUT`/`PATCH auth/users/me/` body. `username` is required by `PUT`.
#[derive(Debug, ToSchema)]
pub struct ProfileRequest {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl FromForm for ProfileRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        let username = form.username("username", true);
        let first_name = form.text("first_name", false, true, Some(NAME_MAX));
        let last_name = form.text("last_name", false, true, Some(NAME_MAX));
        Some(Self {
            username,
            first_name,
            last_name,
        })
    }
}

/// `PATCH admin/users/{id}/` body; other keys are ignored.
#[derive(Debug, ToSchema)]
pub struct AdminUserUpdate {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl FromForm for AdminUserUpdate {
    fn from_form(form: &mut Form) -> Option<Self> {
        let role = form
            .text("role", false, true, None)
            .and_then(|name| match Role::parse(&name) {
                Some(role) => Some(role),
                None => form.fail("role", messages::invalid_choice(&name)),
            });
        let is_active = form.boolean("is_active");
        Some(Self { role, is_active })
    }
}
