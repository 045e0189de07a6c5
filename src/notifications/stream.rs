//! `GET notifications/stream/` (Server-Sent Events) and `POST notifications/stream/ticket/`
//! (SPEC §3.6; docs/notifications.md, "Live stream").
//!
//! A stream is a task ([`pump`](super::pump)) that reads the user's new notifications from the
//! database whenever the hub wakes it, and a bounded channel from that task to the response body.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Json,
};
use futures_util::Stream;
use tokio::sync::mpsc;

use super::{
    pump::{self, Cursor},
    store,
    ticket::{self, Ticket},
    views::StreamTicketView,
};
use crate::{
    accounts::{CurrentUser, MaybeUser},
    db::now_micros,
    error::ApiError,
    http::extract::QueryPairs,
    state::AppState,
    telemetry::metrics::OpenStream,
};

/// How often a comment line is sent on a quiet stream, so proxies don't close it as idle.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// New notifications of the signed-in user, pushed as they happen (`text/event-stream`).
///
/// Each event is `id: <notification id>`, `event: notification`, `data: <notification JSON>`; a
/// comment line every 15 s keeps the connection open. Authenticate with a Bearer token, or with
/// `?ticket=` from `POST notifications/stream/ticket/` (once). With a `Last-Event-ID` header (or
/// `?last_event_id=`) the stream first replays the notifications after that id, oldest first, at
/// most the newest 100.
#[utoipa::path(get, path = "/notifications/stream/", tag = "notifications",
    security(("bearer" = []), ()),
    params(
        ("ticket" = Option<String>, Query, description = "a one-time ticket instead of a Bearer token"),
        ("Last-Event-ID" = Option<i64>, Header, description = "the last notification id received: replay what came after it"),
        ("last_event_id" = Option<i64>, Query, description = "the same, for a new EventSource (which can't send the header)"),
    ),
    responses(
        (status = 200, description = "an endless event stream", content_type = "text/event-stream", body = String),
        (status = 401, description = "not signed in, or the ticket is unknown, used or expired"),
    ))]
pub async fn stream_notifications(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    query: QueryPairs,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user_id = match (user, query.get("ticket")) {
        (Some(user), _) => user.id,
        (None, Some(ticket)) => redeem(&state, ticket).await?,
        (None, None) => return Err(ApiError::not_authenticated()),
    };
    // Subscribed before the cursor reads the database, so nothing committed in between is missed.
    let subscription = state.live.subscribe(user_id);
    // A ticket works once, so a browser reconnects with a new EventSource and a new ticket, and
    // a new EventSource sends no `Last-Event-ID`: the query parameter carries it instead.
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or_else(|| query.get("last_event_id"))
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|id| *id >= 0);
    let (cursor, replay) = Cursor::open(&state.db.pool, user_id, last_event_id).await?;
    let (events, received) = mpsc::channel(pump::BUFFERED_EVENTS);
    tokio::spawn(pump::run(
        state.clone(),
        user_id,
        subscription,
        cursor,
        replay,
        events,
    ));
    let sse = Sse::new(body(received)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    Ok((
        [
            // nginx must pass each event on at once (SPEC §3.6), and no cache may keep any.
            ("x-accel-buffering", HeaderValue::from_static("no")),
            (
                header::CACHE_CONTROL.as_str(),
                HeaderValue::from_static("no-cache"),
            ),
        ],
        sse,
    )
        .into_response())
}

/// The response body: the pump's events until it stops (client too slow, shutdown, a database
/// error), counted in `nexus_notification_streams` while it exists.
fn body(received: mpsc::Receiver<Event>) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(
        (received, OpenStream::open()),
        |(mut received, open)| async move {
            let event = received.recv().await?;
            Some((Ok(event), (received, open)))
        },
    )
}

/// The ticket's user, once; `401` when it is unknown, used, expired or its user deactivated.
async fn redeem(state: &AppState, ticket: &str) -> Result<i64, ApiError> {
    let mut conn = state.db.write_connection().await?;
    store::redeem_ticket(&mut conn, &ticket::hash(ticket))
        .await?
        .ok_or_else(|| ApiError::authentication_failed("Invalid or expired stream ticket."))
}

/// A one-time ticket for `GET notifications/stream/?ticket=…`, valid for 60 seconds (browsers'
/// `EventSource` can't send an `Authorization` header).
#[utoipa::path(post, path = "/notifications/stream/ticket/", tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, body = StreamTicketView),
        (status = 401, description = "not signed in"),
    ))]
pub async fn create_stream_ticket(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<StreamTicketView>, ApiError> {
    let ticket = Ticket::generate();
    let expires_at = now_micros() + ticket::LIFETIME_SECONDS * 1_000_000;
    let mut conn = state.db.write_connection().await?;
    store::insert_ticket(&mut conn, &ticket.hash, user.id, expires_at).await?;
    Ok(Json(StreamTicketView {
        ticket: ticket.text,
        expires_in: ticket::LIFETIME_SECONDS,
    }))
}
