//! The digest choice of a user's preferences (SPEC §3.6): an email per event, or one summary a
//! day or a week.

use serde::Serialize;
use utoipa::ToSchema;

/// `digest` of the preferences: `daily` and `weekly` replace per-event emails of non-security
/// kinds by one summary per period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Digest {
    /// An email per event (the default).
    #[default]
    None,
    Daily,
    Weekly,
}

impl Digest {
    /// The stored (and JSON) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    /// The choice named `name` exactly, as DRF's `ChoiceField` matches it.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::None, Self::Daily, Self::Weekly]
            .into_iter()
            .find(|digest| digest.as_str() == name)
    }
}

/// Decoded from the stored name; the column's CHECK constraint keeps unknown names out.
impl sqlx::Type<sqlx::Any> for Digest {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Digest {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let name = <&str as sqlx::Decode<sqlx::Any>>::decode(value)?;
        Self::parse(name).ok_or_else(|| format!("unknown digest {name:?}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::Digest;

    #[test]
    fn choices_match_exactly() {
        for digest in [Digest::None, Digest::Daily, Digest::Weekly] {
            assert_eq!(Digest::parse(digest.as_str()), Some(digest));
            assert_eq!(serde_json::to_value(digest).unwrap(), digest.as_str());
        }
        assert_eq!(Digest::parse("Daily"), None);
        assert_eq!(Digest::parse("hourly"), None);
        assert_eq!(Digest::default(), Digest::None);
    }
}
