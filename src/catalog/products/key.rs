//! How a request names a product (id or slug) and what the caller may see of it.

use crate::accounts::MaybeUser;

/// How a product is named in a path: `products/42/` or `products/red-lamp/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductKey {
    Id(i64),
    Slug(String),
}

impl ProductKey {
    /// Digits are an id; anything else is a slug.
    pub fn parse(raw: &str) -> Self {
        raw.parse()
            .map(Self::Id)
            .unwrap_or_else(|_| Self::Slug(raw.to_owned()))
    }
}

/// Who is looking: staff see inactive products, everyone else does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    ActiveOnly,
    All,
}

impl Visibility {
    /// What `user` may see: everything for staff, active products for anyone else.
    pub fn for_user(user: &MaybeUser) -> Self {
        if user.0.as_ref().is_some_and(|u| u.role.is_staff()) {
            Self::All
        } else {
            Self::ActiveOnly
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_name_an_id_and_anything_else_a_slug() {
        assert_eq!(ProductKey::parse("42"), ProductKey::Id(42));
        assert_eq!(
            ProductKey::parse("red-lamp"),
            ProductKey::Slug("red-lamp".into())
        );
    }
}
