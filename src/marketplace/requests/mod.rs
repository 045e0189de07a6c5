//! Service requests (SPEC §3.12): a client describes a need; providers read the open ones and
//! propose (`proposals`). A request leaves `open` once, by a conditional update that is the
//! lock point of whatever moves it (an accept awards it, its client cancels it), and is closed
//! when its contract ends (`contracts`). The bidding statements that go with those moves (count
//! a proposal, reject the pending ones) live here too, so the lock order is one: the request
//! row first, then its proposals.

mod caller;
mod handlers;
mod request;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use caller::Caller;
pub use handlers::not_open;
pub use store::{
    close, count_proposal, find, find_visible, leave_open, reject_pending, staff_list,
    uncount_proposal, Rejected, StaffRequestRow,
};

/// Every status a request can have, in its life's order.
pub const STATUSES: [&str; 4] = ["open", "awarded", "closed", "cancelled"];
pub use views::RequestView;

use crate::state::AppState;

/// The request routes (`requests/...`; `requests/{id}/proposals/` is the proposals part's).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_requests, h::create_request))
        .routes(routes!(h::get_request, h::patch_request, h::cancel_request))
}
