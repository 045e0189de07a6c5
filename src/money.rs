//! Money: integer minor units (cents) that travel as two-decimal strings (`"999.99"`).
//!
//! Amounts are parsed from their decimal text, never through a float, so `"0.1"` is exactly ten
//! cents. The limits and messages are those of a DRF `DecimalField(max_digits=10,
//! decimal_places=2)`, which the Django backend used for every amount.

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use utoipa::openapi::{
    schema::{ObjectBuilder, SchemaFormat, Type},
    RefOr, Schema,
};

/// Most digits an amount may have in total (DRF `max_digits`).
pub const MAX_DIGITS: u32 = 10;
/// Digits after the decimal point (DRF `decimal_places`).
pub const DECIMAL_PLACES: u32 = 2;

/// Largest exponent magnitude read from `1e…` text; far beyond anything within the limits.
const MAX_EXPONENT: i64 = 1_000;

/// An amount of money in minor units (cents).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// Why a text is not an acceptable amount; `Display` is the DRF message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("A valid number is required.")]
    Invalid,
    #[error("Ensure that there are no more than 10 digits in total.")]
    TooManyDigits,
    #[error("Ensure that there are no more than 2 decimal places.")]
    TooManyDecimalPlaces,
    #[error("Ensure that there are no more than 8 digits before the decimal point.")]
    TooManyWholeDigits,
}

impl Money {
    /// An amount from minor units.
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    /// The amount in minor units, as stored.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses decimal text (`"12"`, `"12.5"`, `"-0.05"`, `"1e2"`) exactly.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim();
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => {
                let exponent = unsigned[at + 1..]
                    .parse::<i64>()
                    .map_err(|_| MoneyError::Invalid)?;
                // Any exponent this large fails the digit limits below; clamping it keeps the
                // arithmetic there in range (`1000e-9223372036854775808` once wrapped to 1000).
                (&unsigned[..at], exponent.clamp(-MAX_EXPONENT, MAX_EXPONENT))
            }
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(MoneyError::Invalid);
        }
        // Python's Decimal view of the number: significant digits and a power-of-ten exponent.
        let digits: String = format!("{whole}{fraction}")
            .trim_start_matches('0')
            .to_owned();
        let exponent = exponent.saturating_sub(fraction.len() as i64);
        let (total, decimals) = if exponent >= 0 {
            ((digits.len() as i64).saturating_add(exponent), 0)
        } else if -exponent > digits.len() as i64 {
            (-exponent, -exponent)
        } else {
            (digits.len() as i64, -exponent)
        };
        // The same checks, in the same order, as DRF's `validate_precision`.
        if total > i64::from(MAX_DIGITS) {
            return Err(MoneyError::TooManyDigits);
        }
        if decimals > i64::from(DECIMAL_PLACES) {
            return Err(MoneyError::TooManyDecimalPlaces);
        }
        if total - decimals > i64::from(MAX_DIGITS - DECIMAL_PLACES) {
            return Err(MoneyError::TooManyWholeDigits);
        }
        // At most 10 digits remain, so this cannot overflow.
        let value: i64 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| MoneyError::Invalid)?
        };
        let cents = value * 10_i64.pow((exponent + i64::from(DECIMAL_PLACES)) as u32);
        Ok(Self(if negative { -cents } else { cents }))
    }

    /// Reads an amount from a JSON string or number, as DRF's `DecimalField` does.
    pub fn from_json(value: &Value) -> Result<Self, MoneyError> {
        match value {
            Value::String(text) => Self::parse(text),
            // serde_json prints a number with its shortest exact text (`999.99`), no float maths.
            Value::Number(number) => Self::parse(&number.to_string()),
            _ => Err(MoneyError::Invalid),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Money::from_json(&value).map_err(de::Error::custom)
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("decimal".to_owned())))
            .description(Some("A decimal amount with two places, e.g. \"999.99\"."))
            .examples(["999.99"])
            .into()
    }
}

impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cents(text: &str) -> i64 {
        Money::parse(text).unwrap().cents()
    }

    #[test]
    fn decimal_text_is_parsed_exactly() {
        assert_eq!(cents("999.99"), 99_999);
        assert_eq!(cents("0.1"), 10);
        assert_eq!(cents("12"), 1_200);
        assert_eq!(cents("12."), 1_200);
        assert_eq!(cents(".5"), 50);
        assert_eq!(cents("-5"), -500);
        assert_eq!(cents(" 1.50 "), 150);
        assert_eq!(cents("1e2"), 10_000);
        assert_eq!(cents("1.5E1"), 1_500);
        assert_eq!(cents("0"), 0);
        assert_eq!(cents("99999999.99"), 9_999_999_999);
    }

    #[test]
    fn non_numbers_are_refused() {
        for text in [
            "", "abc", "1.2.3", "1,5", "--1", "NaN", "inf", ".", "e5", "1e", "0x10",
        ] {
            assert_eq!(Money::parse(text), Err(MoneyError::Invalid), "{text:?}");
        }
    }

    #[test]
    fn precision_limits_use_drf_messages() {
        assert_eq!(
            Money::parse("1.234").unwrap_err().to_string(),
            "Ensure that there are no more than 2 decimal places."
        );
        assert_eq!(Money::parse("1.500"), Err(MoneyError::TooManyDecimalPlaces));
        assert_eq!(
            Money::parse("12345678901").unwrap_err().to_string(),
            "Ensure that there are no more than 10 digits in total."
        );
        assert_eq!(
            Money::parse("123456789.5"),
            Err(MoneyError::TooManyWholeDigits)
        );
        assert_eq!(Money::parse("1e400"), Err(MoneyError::TooManyDigits));
        assert_eq!(Money::parse("1e-400"), Err(MoneyError::TooManyDigits));
        assert_eq!(
            Money::parse("1000e-9223372036854775808"),
            Err(MoneyError::TooManyDigits)
        );
        assert_eq!(
            Money::parse("1e9223372036854775807"),
            Err(MoneyError::TooManyDigits)
        );
        assert_eq!(Money::parse("0001.25").unwrap().cents(), 125);
    }

    #[test]
    fn formats_with_two_places() {
        assert_eq!(Money::from_cents(99_999).to_string(), "999.99");
        assert_eq!(Money::from_cents(5).to_string(), "0.05");
        assert_eq!(Money::from_cents(-500).to_string(), "-5.00");
        assert_eq!(
            serde_json::to_value(Money::from_cents(1_062)).unwrap(),
            json!("10.62")
        );
    }

    #[test]
    fn reads_json_strings_and_numbers() {
        assert_eq!(Money::from_json(&json!("10.62")).unwrap().cents(), 1_062);
        assert_eq!(Money::from_json(&json!(10.62)).unwrap().cents(), 1_062);
        assert_eq!(Money::from_json(&json!(7)).unwrap().cents(), 700);
        assert_eq!(Money::from_json(&json!(0.1)).unwrap().cents(), 10);
        assert_eq!(Money::from_json(&json!(true)), Err(MoneyError::Invalid));
        assert_eq!(Money::from_json(&Value::Null), Err(MoneyError::Invalid));
        let parsed: Money = serde_json::from_value(json!("3.10")).unwrap();
        assert_eq!(parsed.cents(), 310);
        assert!(serde_json::from_value::<Money>(json!("3.105")).is_err());
    }
}
