//! Value types that read the same from SQLite and PostgreSQL through the `Any` driver.
//!
//! The `Any` driver has no date/time or decimal types, so timestamps are stored as microseconds
//! since the Unix epoch (`BIGINT`) and money as integer minor units. Booleans are native in
//! PostgreSQL but integers in SQLite, hence [`Flag`].

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{
    any::{Any, AnyTypeInfo, AnyTypeInfoKind, AnyValueRef},
    decode::Decode,
    error::BoxDynError,
    Type,
};

/// Current time as microseconds since the Unix epoch: the stored form of every timestamp.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// Formats stored microseconds as RFC 3339 UTC with microseconds (`2025-03-31T22:53:35.136176Z`),
/// the format the Django backend sends.
pub fn format_micros(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A boolean column, decoded from PostgreSQL `BOOLEAN` or SQLite's `0`/`1` integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        matches!(ty.kind(), AnyTypeInfoKind::Bool) || ty.kind().is_integer()
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <bool as Decode<Any>>::decode(value.clone()) {
            Ok(b) => Ok(Flag(b)),
            Err(_) => Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0)),
        }
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_like_django() {
        assert_eq!(
            format_micros(1_743_461_615_136_176),
            "2025-03-31T22:53:35.136176Z"
        );
    }
}
