//! The payment gateway: the edge we can't reach in tests (a real provider such as Stripe), so it
//! is a trait, [`PaymentProvider`], with a built-in [`TestPaymentProvider`] (docs/orders.md).
//! `authorize` may answer `Pending`; whatever later learns the result hands it to orders'
//! settlement. This module knows nothing of orders or of the app state: `AppState` holds a
//! [`SharedProvider`] and the orders handlers call it.

mod test_provider;

use std::{fmt, sync::Arc};

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::config::PaymentProviderName;

pub use test_provider::TestPaymentProvider;

/// The methods the API accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentMethod {
    Card,
    CreditCard,
    DebitCard,
    Paypal,
    BankTransfer,
}

impl PaymentMethod {
    /// Parses the wire name (`card`, `bank_transfer`, …).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "card" => Self::Card,
            "credit_card" => Self::CreditCard,
            "debit_card" => Self::DebitCard,
            "paypal" => Self::Paypal,
            "bank_transfer" => Self::BankTransfer,
            _ => return None,
        })
    }

    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::CreditCard => "credit_card",
            Self::DebitCard => "debit_card",
            Self::Paypal => "paypal",
            Self::BankTransfer => "bank_transfer",
        }
    }
}

/// What a provider is asked to authorize.
#[derive(Clone, Debug)]
pub struct PaymentRequest {
    /// Our payment row's id: a natural idempotency key for the provider.
    pub payment_id: i64,
    pub order_id: i64,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    /// `payment_details` as the client sent it (card number, wallet token, …).
    pub details: Value,
}

/// A provider's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The money is taken.
    Captured {
        reference: String,
    },
    /// Started; the result arrives later (bank transfer, 3-D Secure, a webhook).
    Pending {
        reference: String,
    },
    Declined {
        reason: String,
    },
}

/// The provider could not be asked (network, outage); nothing is known to have happened.
#[derive(Debug)]
pub struct ProviderUnavailable(pub String);

impl fmt::Display for ProviderUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "payment provider unavailable: {}", self.0)
    }
}

/// A payment service. Methods return boxed futures so the trait stays object-safe and a
/// provider can be chosen at run time.
pub trait PaymentProvider: Send + Sync {
    /// Starts (and, where the method allows, completes) a payment.
    fn authorize<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ProviderUnavailable>>;

    /// Asks for the final result of a payment that was `Pending` under `reference`.
    fn confirm<'a>(
        &'a self,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ProviderUnavailable>>;
}

/// The provider the order routes use.
pub type SharedProvider = Arc<dyn PaymentProvider>;

/// The provider `PAYMENT_PROVIDER` names; the state is built with it at start-up.
pub fn payment_provider(name: PaymentProviderName) -> SharedProvider {
    match name {
        PaymentProviderName::Test => Arc::new(TestPaymentProvider),
    }
}
