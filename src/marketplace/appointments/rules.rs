//! An appointment's status machine: who may move it where. Only the contract's two parties move
//! appointments; which moves a party has depends on whether they proposed it.

use serde::Serialize;
use utoipa::ToSchema;

/// An appointment's `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Proposed,
    Confirmed,
    Cancelled,
    Done,
}

impl Status {
    pub const ALL: [Self; 4] = [Self::Proposed, Self::Confirmed, Self::Cancelled, Self::Done];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Done => "done",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Which party of the contract the caller is, as far as one appointment is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Made the proposal: may edit it while proposed, may not confirm it.
    Proposer,
    /// The party who was asked: the one who confirms.
    Other,
}

/// The statuses `side` may move an appointment in status `from` to (the 409's `allowed`).
/// Confirming is the other party's answer to a proposal; either party cancels what hasn't
/// happened yet, and either marks a confirmed appointment done.
pub fn allowed(from: Status, side: Side) -> &'static [Status] {
    match (from, side) {
        (Status::Proposed, Side::Proposer) => &[Status::Cancelled],
        (Status::Proposed, Side::Other) => &[Status::Confirmed, Status::Cancelled],
        (Status::Confirmed, _) => &[Status::Cancelled, Status::Done],
        (Status::Cancelled | Status::Done, _) => &[],
    }
}

/// Whether a contract in `status` can still get appointments (new, edited or confirmed ones):
/// the work is under way (`active`) or delivered and perhaps being reviewed together.
pub fn contract_schedulable(status: &str) -> bool {
    matches!(status, "active" | "delivered")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_other_party_confirms_and_finished_appointments_stay_finished() {
        assert!(!allowed(Status::Proposed, Side::Proposer).contains(&Status::Confirmed));
        assert!(allowed(Status::Proposed, Side::Other).contains(&Status::Confirmed));
        for side in [Side::Proposer, Side::Other] {
            assert_eq!(
                allowed(Status::Confirmed, side),
                &[Status::Cancelled, Status::Done]
            );
            assert!(allowed(Status::Cancelled, side).is_empty());
            assert!(allowed(Status::Done, side).is_empty());
            assert!(!allowed(Status::Proposed, side).contains(&Status::Done));
        }
    }

    #[test]
    fn statuses_read_back_their_names() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Confirmed"), None);
    }
}
