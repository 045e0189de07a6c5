//! `PAYMENT_PROVIDER`: which payment service the shop uses.

use anyhow::bail;

/// `PAYMENT_PROVIDER`: which payment service takes the money. Only the built-in test provider
/// exists so far; the setting makes choosing it explicit in production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentProviderName {
    /// Approves every payment except one test card; no money moves (SPEC §5).
    Test,
}

impl PaymentProviderName {
    /// Every accepted value, for error messages.
    pub const ALLOWED: &'static [&'static str] = &["test"];

    /// Parses the setting's value.
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "test" => Ok(Self::Test),
            _ => bail!(
                "PAYMENT_PROVIDER must be one of: {} (not {value:?})",
                Self::ALLOWED.join(", ")
            ),
        }
    }

    /// The setting's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
        }
    }
}
