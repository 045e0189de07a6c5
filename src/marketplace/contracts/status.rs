//! The contract status machine (SPEC §3.12), pure: which moves exist and who may make them.
//!
//! ```text
//! active ──provider──▶ delivered ──client──▶ completed
//!   │  ╲                  │
//!   │   client            client
//!   │     ╲               ▼
//!   │      ╰─────────▶ disputed ──staff──▶ active | cancelled
//!   ╰──client or provider──▶ cancelled
//! ```
//! `completed` and `cancelled` are final. A caller may hold several hats (a staff member who is
//! also the client): they may make any move one of their hats allows.

use std::fmt;

/// A contract's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Delivered,
    Completed,
    Disputed,
    Cancelled,
}

impl Status {
    /// Every status, in the order the `allowed` lists use.
    pub const ALL: [Self; 5] = [
        Self::Active,
        Self::Delivered,
        Self::Completed,
        Self::Disputed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Delivered => "delivered",
            Self::Completed => "completed",
            Self::Disputed => "disputed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// True when the contract's work is over (its request is then closed).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The hats a caller wears on one contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hats {
    pub client: bool,
    pub provider: bool,
    pub staff: bool,
}

impl Hats {
    /// True when the caller may see the contract at all.
    pub fn any(self) -> bool {
        self.client || self.provider || self.staff
    }
}

/// Who may make one move.
#[derive(Debug, Clone, Copy)]
enum Who {
    Client,
    Provider,
    Party,
    Staff,
}

impl Who {
    fn admits(self, hats: Hats) -> bool {
        match self {
            Self::Client => hats.client,
            Self::Provider => hats.provider,
            Self::Party => hats.client || hats.provider,
            Self::Staff => hats.staff,
        }
    }
}

/// Every move: from, to, who.
const MOVES: [(Status, Status, Who); 7] = [
    (Status::Active, Status::Delivered, Who::Provider),
    (Status::Delivered, Status::Completed, Who::Client),
    (Status::Active, Status::Disputed, Who::Client),
    (Status::Delivered, Status::Disputed, Who::Client),
    (Status::Disputed, Status::Active, Who::Staff),
    (Status::Disputed, Status::Cancelled, Who::Staff),
    (Status::Active, Status::Cancelled, Who::Party),
];

/// The statuses a caller wearing `hats` may move a contract in `from` to, in [`Status::ALL`] order.
pub fn allowed(from: Status, hats: Hats) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| may_move(from, *to, hats))
        .collect()
}

/// True when a caller wearing `hats` may move a contract from `from` to `to`.
pub fn may_move(from: Status, to: Status, hats: Hats) -> bool {
    MOVES
        .iter()
        .any(|(f, t, who)| *f == from && *t == to && who.admits(hats))
}

#[cfg(test)]
mod tests {
    use super::{Status::*, *};

    const CLIENT: Hats = Hats {
        client: true,
        provider: false,
        staff: false,
    };
    const PROVIDER: Hats = Hats {
        client: false,
        provider: true,
        staff: false,
    };
    const STAFF: Hats = Hats {
        client: false,
        provider: false,
        staff: true,
    };

    #[test]
    fn the_whole_table_for_each_hat() {
        let table = [
            // (from, client may, provider may, staff may)
            (
                Active,
                vec![Disputed, Cancelled],
                vec![Delivered, Cancelled],
                vec![],
            ),
            (Delivered, vec![Completed, Disputed], vec![], vec![]),
            (Completed, vec![], vec![], vec![]),
            (Disputed, vec![], vec![], vec![Active, Cancelled]),
            (Cancelled, vec![], vec![], vec![]),
        ];
        for (from, client, provider, staff) in table {
            assert_eq!(allowed(from, CLIENT), client, "client from {from}");
            assert_eq!(allowed(from, PROVIDER), provider, "provider from {from}");
            assert_eq!(allowed(from, STAFF), staff, "staff from {from}");
            assert_eq!(allowed(from, Hats::default()), vec![], "nobody from {from}");
        }
    }

    #[test]
    fn every_pair_not_in_the_table_is_refused_to_everyone() {
        let all_hats = Hats {
            client: true,
            provider: true,
            staff: true,
        };
        let legal = [
            (Active, Delivered),
            (Delivered, Completed),
            (Active, Disputed),
            (Delivered, Disputed),
            (Disputed, Active),
            (Disputed, Cancelled),
            (Active, Cancelled),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    may_move(from, to, all_hats),
                    legal.contains(&(from, to)),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn several_hats_allow_the_union_of_their_moves() {
        let staff_client = Hats {
            client: true,
            staff: true,
            ..Hats::default()
        };
        assert_eq!(allowed(Disputed, staff_client), vec![Active, Cancelled]);
        assert_eq!(allowed(Active, staff_client), vec![Disputed, Cancelled]);
        let both_parties = Hats {
            client: true,
            provider: true,
            ..Hats::default()
        };
        assert_eq!(
            allowed(Active, both_parties),
            vec![Delivered, Disputed, Cancelled]
        );
    }

    #[test]
    fn statuses_read_back_and_only_completed_and_cancelled_are_final() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Active"), None);
        let finals: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, vec![Completed, Cancelled]);
    }
}
