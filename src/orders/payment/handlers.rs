//! `POST orders/{id}/payment/` and `POST orders/{id}/payment/confirm/` (owner only).

use axum::{extract::State, http::StatusCode};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    settle::{release_claim, settle, Settled},
    PaymentMethod, PaymentOutcome, PaymentRequest,
};
use crate::{
    db::{is_unique_violation, now_micros},
    error::{ApiError, FieldErrors},
    http::{
        auth::{AuthUser, CurrentUser},
        extract::{Json, Path},
    },
    orders::{
        handlers::visible_order,
        load::{self, OrderCore},
        status::{OrderStatus, PaymentStatus},
        views::OrderMessage,
    },
    state::AppState,
};

/// A claim older than this belongs to a request that died mid-call; it no longer blocks paying.
const STALE_CLAIM_MICROS: i64 = 15 * 60 * 1_000_000;

/// `POST orders/{id}/payment/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PayOrder {
    /// `card`, `credit_card`, `debit_card`, `paypal` or `bank_transfer`.
    pub payment_method: String,
    /// Method-specific details, e.g. `{"card_number": "4242424242424242"}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub payment_details: Option<Value>,
}

type Answer = Result<(StatusCode, axum::Json<OrderMessage>), ApiError>;

async fn own_order(
    state: &AppState,
    user: &AuthUser,
    order_id: i64,
) -> Result<OrderCore, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    load::core(&mut conn, order_id)
        .await?
        .filter(|core| core.user_id == user.id)
        .ok_or_else(ApiError::not_found)
}

/// Why an order can't be paid now, if it can't.
fn not_payable(core: &OrderCore) -> Option<ApiError> {
    match (core.status, core.payment_status) {
        (_, PaymentStatus::Paid | PaymentStatus::Refunded) => {
            Some(ApiError::conflict("already_paid", "Order already paid."))
        }
        (_, PaymentStatus::Pending) => Some(ApiError::conflict(
            "payment_pending",
            "A payment for this order is awaiting confirmation.",
        )),
        (OrderStatus::Pending, PaymentStatus::Unpaid) => None,
        (status, _) => Some(ApiError::conflict(
            "order_not_payable",
            format!("Cannot pay for an order that is {}.", status.as_str()),
        )),
    }
}

fn unavailable() -> ApiError {
    ApiError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        "payment_provider_unavailable",
        "The payment provider is unavailable. Please try again later.",
    )
}

fn declined() -> ApiError {
    ApiError::client(
        StatusCode::PAYMENT_REQUIRED,
        "payment_declined",
        "Payment declined.",
    )
}

fn order_changed() -> ApiError {
    ApiError::conflict(
        "order_changed",
        "The order changed while the payment was being processed; the payment was voided.",
    )
}

async fn answer(
    state: &AppState,
    user: &AuthUser,
    order_id: i64,
    status: StatusCode,
    message: &str,
    method: Option<PaymentMethod>,
) -> Answer {
    let order = visible_order(state, user, order_id, false).await?;
    Ok((
        status,
        axum::Json(OrderMessage {
            message: message.to_owned(),
            payment_method: method.map(|m| m.as_str().to_owned()),
            order,
        }),
    ))
}

/// Pays the caller's own pending order through the payment provider.
#[utoipa::path(post, path = "/orders/{id}/payment/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PayOrder,
    responses(
        (status = 200, body = OrderMessage, description = "captured: order `processing`, payment `paid`"),
        (status = 202, body = OrderMessage, description = "started (bank transfer): payment `pending` until `payment/confirm/`"),
        (status = 400, description = "invalid payment method"),
        (status = 401, description = "not signed in"),
        (status = 402, description = "`payment_declined`: the order is `failed` and its stock restored"),
        (status = 404, description = "no such order, or someone else's (staff included)"),
        (status = 409, description = "`already_paid`, `payment_pending`, `order_not_payable` (cancelled, failed…), `payment_in_progress`"),
        (status = 503, description = "`payment_provider_unavailable`"),
    ))]
pub async fn pay_order(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
    Json(body): Json<PayOrder>,
) -> Answer {
    let core = own_order(&state, &user, order_id).await?;
    let method = PaymentMethod::parse(body.payment_method.trim())
        .ok_or_else(|| FieldErrors::single("payment_method", "Invalid payment method."))?;
    if let Some(conflict) = not_payable(&core) {
        return Err(conflict);
    }
    let now = now_micros();
    sqlx::query(
        "UPDATE payments SET status = 'abandoned', updated_at = $1 \
         WHERE order_id = $2 AND status = 'authorizing' AND created_at < $3",
    )
    .bind(now)
    .bind(order_id)
    .bind(now - STALE_CLAIM_MICROS)
    .execute(&state.db.pool)
    .await?;
    // The partial unique index (one live payment per order) is the lock: a second concurrent
    // payment fails here instead of reaching the provider.
    let payment_id: i64 = sqlx::query_scalar(
        "INSERT INTO payments (order_id, method, status, amount_cents, created_at, updated_at) \
         VALUES ($1, $2, 'authorizing', $3, $4, $4) RETURNING id",
    )
    .bind(order_id)
    .bind(method.as_str())
    .bind(core.total_cents)
    .bind(now)
    .fetch_one(&state.db.pool)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            ApiError::conflict(
                "payment_in_progress",
                "A payment for this order is already in progress.",
            )
        } else {
            err.into()
        }
    })?;
    let request = PaymentRequest {
        payment_id,
        order_id,
        amount_cents: core.total_cents,
        method,
        details: body.payment_details.unwrap_or(Value::Null),
    };
    // No transaction is open across the provider call: a slow provider must not hold locks.
    let outcome = match state.payment.authorize(&request).await {
        Ok(outcome) => outcome,
        Err(err) => {
            tracing::warn!(%err, order_id, "payment provider unavailable");
            release_claim(&state.db, payment_id).await?;
            return Err(unavailable());
        }
    };
    match settle(&state.db, payment_id, order_id, &outcome, Some(user.id)).await? {
        Settled::Captured => {
            let message = "Payment processed successfully.";
            answer(
                &state,
                &user,
                order_id,
                StatusCode::OK,
                message,
                Some(method),
            )
            .await
        }
        Settled::Pending => {
            let message = "Payment pending confirmation.";
            answer(
                &state,
                &user,
                order_id,
                StatusCode::ACCEPTED,
                message,
                Some(method),
            )
            .await
        }
        Settled::Declined => Err(declined()),
        Settled::OrderChanged | Settled::AlreadySettled => Err(order_changed()),
    }
}

/// Confirms the caller's pending payment (a bank transfer, with the test provider).
#[utoipa::path(post, path = "/orders/{id}/payment/confirm/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = OrderMessage, description = "confirmed: order `processing`, payment `paid`"),
        (status = 202, body = OrderMessage, description = "the provider still reports it pending"),
        (status = 401, description = "not signed in"),
        (status = 402, description = "`payment_declined`"),
        (status = 404, description = "no such order, or someone else's (staff included)"),
        (status = 409, description = "`no_pending_payment`, `order_changed`"),
        (status = 503, description = "`payment_provider_unavailable`"),
    ))]
pub async fn confirm_payment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
) -> Answer {
    own_order(&state, &user, order_id).await?;
    let pending: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, provider_reference FROM payments WHERE order_id = $1 AND status = 'pending'",
    )
    .bind(order_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let no_pending = || {
        ApiError::conflict(
            "no_pending_payment",
            "This order has no payment awaiting confirmation.",
        )
    };
    let (payment_id, reference) = pending.ok_or_else(no_pending)?;
    let outcome = state
        .payment
        .confirm(reference.as_deref().unwrap_or_default())
        .await
        .map_err(|err| {
            tracing::warn!(%err, order_id, "payment provider unavailable");
            unavailable()
        })?;
    if let PaymentOutcome::Pending { .. } = outcome {
        let message = "Payment pending confirmation.";
        return answer(&state, &user, order_id, StatusCode::ACCEPTED, message, None).await;
    }
    match settle(&state.db, payment_id, order_id, &outcome, Some(user.id)).await? {
        Settled::Captured => {
            answer(
                &state,
                &user,
                order_id,
                StatusCode::OK,
                "Payment confirmed.",
                None,
            )
            .await
        }
        Settled::Pending | Settled::AlreadySettled => Err(no_pending()),
        Settled::Declined => Err(declined()),
        Settled::OrderChanged => Err(order_changed()),
    }
}
