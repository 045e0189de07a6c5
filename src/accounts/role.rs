//! Roles and what each may do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A user's role; stored as its lowercase name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Staff,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    /// The role named `name` exactly, as a request or a filter gives it.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "customer" => Some(Role::Customer),
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Parses the stored name; unknown names fall back to the least powerful role.
    pub fn from_db(name: &str) -> Self {
        Self::parse(name).unwrap_or(Role::Customer)
    }

    /// Staff and admins manage the catalogue, inventory, orders and moderation.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }

    /// Only admins manage users and roles.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// A `role` column decodes straight into a row struct's `Role`.
impl sqlx::Type<sqlx::Any> for Role {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Role {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let name = <&str as sqlx::Decode<sqlx::Any>>::decode(value)?;
        Ok(Self::from_db(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_are_staff_but_customers_are_neither() {
        assert!(Role::Admin.is_staff() && Role::Admin.is_admin());
        assert!(Role::Staff.is_staff() && !Role::Staff.is_admin());
        assert!(!Role::Customer.is_staff());
        assert_eq!(Role::from_db("bogus"), Role::Customer);
    }
}
