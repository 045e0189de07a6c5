//! The built-in test provider (SPEC §5): cards and PayPal are captured at once, bank transfers
//! wait for `payment/confirm/`, and the card number `4000000000000002` is declined.

use futures_util::future::BoxFuture;

use super::{PaymentMethod, PaymentOutcome, PaymentProvider, PaymentRequest, ProviderUnavailable};

/// The card number the test provider declines.
pub const DECLINED_CARD: &str = "4000000000000002";

/// Approves everything except [`DECLINED_CARD`]; no money moves.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestPaymentProvider;

impl PaymentProvider for TestPaymentProvider {
    fn authorize<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ProviderUnavailable>> {
        let card: String = request
            .details
            .get("card_number")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let outcome = if request.method == PaymentMethod::BankTransfer {
            PaymentOutcome::Pending {
                reference: format!("test_transfer_{}", request.payment_id),
            }
        } else if card == DECLINED_CARD {
            PaymentOutcome::Declined {
                reason: "card_declined".into(),
            }
        } else {
            PaymentOutcome::Captured {
                reference: format!("test_charge_{}", request.payment_id),
            }
        };
        Box::pin(async move { Ok(outcome) })
    }

    fn confirm<'a>(
        &'a self,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ProviderUnavailable>> {
        Box::pin(async move {
            Ok(PaymentOutcome::Captured {
                reference: reference.to_owned(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(method: PaymentMethod, details: serde_json::Value) -> PaymentRequest {
        PaymentRequest {
            payment_id: 7,
            order_id: 1,
            amount_cents: 100,
            method,
            details,
        }
    }

    #[tokio::test]
    async fn cards_capture_transfers_wait_and_the_test_card_is_declined() {
        let provider = TestPaymentProvider;
        let card = request(
            PaymentMethod::Card,
            json!({"card_number": "4242 4242 4242 4242"}),
        );
        assert!(matches!(
            provider.authorize(&card).await.unwrap(),
            PaymentOutcome::Captured { .. }
        ));
        let transfer = request(PaymentMethod::BankTransfer, json!(null));
        let PaymentOutcome::Pending { reference } = provider.authorize(&transfer).await.unwrap()
        else {
            panic!("a transfer waits");
        };
        assert!(matches!(
            provider.confirm(&reference).await.unwrap(),
            PaymentOutcome::Captured { .. }
        ));
        let declined = request(
            PaymentMethod::CreditCard,
            json!({"card_number": "4000-0000-0000-0002"}),
        );
        assert!(matches!(
            provider.authorize(&declined).await.unwrap(),
            PaymentOutcome::Declined { .. }
        ));
    }
}
