//! Stream tickets: `EventSource` can't send an `Authorization` header, so a signed-in client
//! trades its token for a random one-minute ticket and puts it in the stream's URL. Only the
//! ticket's SHA-256 is stored (a leaked table opens no stream), and redeeming deletes it.

pub(super) use crate::random_token::{hash, RandomToken as Ticket};

/// How long a ticket can be redeemed, in seconds (SPEC §3.6: one minute).
pub(super) const LIFETIME_SECONDS: i64 = 60;
