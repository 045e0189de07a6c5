//! What is recorded (SPEC §3.7): one [`Action`] per kind, the [`Captured`] report a handler
//! attaches to its answer, and the buffered [`Event`] with the common part (when, who, from where).
//!
//! A handler never records by itself: it says what happened by returning a [`Captured`] among
//! its response parts, and `track::layer` records it with the request's session and address.
//! So an event exists only for an answer that was sent, after the handler's work (and
//! transaction) is done, and the catalog cache can replay it with every answer it serves.

use std::net::IpAddr;

use axum::response::{IntoResponseParts, ResponseParts};
use serde::{Deserialize, Serialize};

use super::session::Session;

/// The longest normalised search query kept, in characters: longer ones are cut (a query string
/// can be kilobytes; nobody searches for that, and the roll-ups group by the text).
pub const MAX_QUERY_CHARS: usize = 200;

/// The `kind` column: one per [`Action`] variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    ProductView,
    Search,
    Register,
    Login,
    AddToCart,
    Order,
    Review,
    ServiceView,
    ServiceLike,
    MarketplaceSearch,
}

impl Kind {
    /// Every kind, in the `CHECK` list's order.
    pub const ALL: [Kind; 10] = [
        Kind::ProductView,
        Kind::Search,
        Kind::Register,
        Kind::Login,
        Kind::AddToCart,
        Kind::Order,
        Kind::Review,
        Kind::ServiceView,
        Kind::ServiceLike,
        Kind::MarketplaceSearch,
    ];

    /// The stored name (the `CHECK` list of `analytics_events.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ProductView => "product_view",
            Kind::Search => "search",
            Kind::Register => "register",
            Kind::Login => "login",
            Kind::AddToCart => "add_to_cart",
            Kind::Order => "order",
            Kind::Review => "review",
            Kind::ServiceView => "service_view",
            Kind::ServiceLike => "service_like",
            Kind::MarketplaceSearch => "marketplace_search",
        }
    }
}

/// What happened, with what each kind records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    ProductView {
        product_id: i64,
    },
    /// `query` normalised ([`normalise_query`]); `filters` a JSON object of the filters applied;
    /// `result_count` the total the search returned (0 included).
    Search {
        query: String,
        filters: String,
        result_count: i64,
    },
    Register,
    Login,
    AddToCart {
        product_id: i64,
    },
    Order {
        order_id: i64,
    },
    Review {
        product_id: i64,
    },
    /// A marketplace service's page answered (SPEC §3.12).
    ServiceView {
        service_id: String,
    },
    /// A service liked (not an unlike).
    ServiceLike {
        service_id: String,
    },
    /// A search over services, recorded like a product search but under its own kind, so the
    /// shop's search figures stay the shop's.
    MarketplaceSearch {
        query: String,
        filters: String,
        result_count: i64,
    },
}

impl Action {
    /// The `kind` column.
    pub fn kind(&self) -> Kind {
        match self {
            Action::ProductView { .. } => Kind::ProductView,
            Action::Search { .. } => Kind::Search,
            Action::Register => Kind::Register,
            Action::Login => Kind::Login,
            Action::AddToCart { .. } => Kind::AddToCart,
            Action::Order { .. } => Kind::Order,
            Action::Review { .. } => Kind::Review,
            Action::ServiceView { .. } => Kind::ServiceView,
            Action::ServiceLike { .. } => Kind::ServiceLike,
            Action::MarketplaceSearch { .. } => Kind::MarketplaceSearch,
        }
    }

    /// The `product_id` column.
    pub fn product_id(&self) -> Option<i64> {
        match self {
            Action::ProductView { product_id }
            | Action::AddToCart { product_id }
            | Action::Review { product_id } => Some(*product_id),
            _ => None,
        }
    }

    /// The `service_id` column.
    pub fn service_id(&self) -> Option<&str> {
        match self {
            Action::ServiceView { service_id } | Action::ServiceLike { service_id } => {
                Some(service_id)
            }
            _ => None,
        }
    }

    /// The `order_id` column.
    pub fn order_id(&self) -> Option<i64> {
        match self {
            Action::Order { order_id } => Some(*order_id),
            _ => None,
        }
    }
}

/// What a handler reports: the action and the signed-in user it knows of (the new account's id
/// for `register` and `login`). Returned among the response parts; see the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Captured {
    pub action: Action,
    pub user_id: Option<i64>,
}

impl Captured {
    /// A product page answered (`user_id` when signed in).
    pub fn product_view(product_id: i64, user_id: Option<i64>) -> Self {
        Self {
            action: Action::ProductView { product_id },
            user_id,
        }
    }

    /// A search for `raw_query` with `filters` applied that found `result_count` results; `None`
    /// when the query is blank once normalised (a list without a search is not a search).
    pub fn search(
        raw_query: &str,
        filters: serde_json::Map<String, serde_json::Value>,
        result_count: i64,
        user_id: Option<i64>,
    ) -> Option<Self> {
        let query = normalise_query(raw_query);
        (!query.is_empty()).then(|| Self {
            action: Action::Search {
                query,
                filters: serde_json::Value::Object(filters).to_string(),
                result_count,
            },
            user_id,
        })
    }

    /// An account created (`user_id`: the new account).
    pub fn register(user_id: i64) -> Self {
        Self::by(Action::Register, user_id)
    }

    /// A successful sign-in.
    pub fn login(user_id: i64) -> Self {
        Self::by(Action::Login, user_id)
    }

    /// A product added to the user's cart.
    pub fn add_to_cart(user_id: i64, product_id: i64) -> Self {
        Self::by(Action::AddToCart { product_id }, user_id)
    }

    /// An order placed (committed).
    pub fn order(user_id: i64, order_id: i64) -> Self {
        Self::by(Action::Order { order_id }, user_id)
    }

    /// A review created.
    pub fn review(user_id: i64, product_id: i64) -> Self {
        Self::by(Action::Review { product_id }, user_id)
    }

    /// A marketplace service's page answered (`user_id` when signed in).
    pub fn service_view(service_id: &str, user_id: Option<i64>) -> Self {
        Self {
            action: Action::ServiceView {
                service_id: service_id.to_owned(),
            },
            user_id,
        }
    }

    /// A service liked by `user_id`.
    pub fn service_like(user_id: i64, service_id: &str) -> Self {
        Self::by(
            Action::ServiceLike {
                service_id: service_id.to_owned(),
            },
            user_id,
        )
    }

    /// A search over services, as [`Captured::search`] is over products; `None` when blank.
    pub fn marketplace_search(
        raw_query: &str,
        filters: serde_json::Map<String, serde_json::Value>,
        result_count: i64,
        user_id: Option<i64>,
    ) -> Option<Self> {
        let Action::Search {
            query,
            filters,
            result_count,
        } = Self::search(raw_query, filters, result_count, user_id)?.action
        else {
            return None;
        };
        Some(Self {
            action: Action::MarketplaceSearch {
                query,
                filters,
                result_count,
            },
            user_id,
        })
    }

    fn by(action: Action, user_id: i64) -> Self {
        Self {
            action,
            user_id: Some(user_id),
        }
    }

    /// The action as one line of JSON, for the catalog cache to keep with an answer. The user is
    /// left out: only anonymous answers are cached, and a replay must never name anyone.
    pub fn cache_line(&self) -> String {
        // An enum of integers and strings always serialises.
        serde_json::to_string(&self.action).unwrap_or_default()
    }

    /// A [`Captured::cache_line`] read back, anonymous; `None` for anything else.
    pub fn from_cache_line(line: &str) -> Option<Self> {
        Some(Self {
            action: serde_json::from_str(line).ok()?,
            user_id: None,
        })
    }
}

/// Attaches the report to the answer, where `track::layer` (and the cache) find it.
impl IntoResponseParts for Captured {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        parts.extensions_mut().insert(self);
        Ok(parts)
    }
}

/// One buffered event: the action and the common part. The session is kept as its source until
/// the capture task writes it, which hashes it then (off the request's path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub action: Action,
    /// Epoch microseconds (UTC).
    pub occurred_at: i64,
    pub user_id: Option<i64>,
    /// The client's address, already truncated (`session::truncate_ip`).
    pub ip_prefix: Option<IpAddr>,
    pub session: Session,
}

/// A search query as counted: trimmed, lower-cased, inner whitespace collapsed to one space, and
/// cut to [`MAX_QUERY_CHARS`] characters.
pub fn normalise_query(raw: &str) -> String {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = collapsed.to_lowercase();
    match lower.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => lower[..cut].trim_end().to_owned(),
        None => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_trimmed_lower_cased_and_inner_whitespace_collapsed() {
        assert_eq!(normalise_query("  Desk   LAMP \t"), "desk lamp");
        assert_eq!(normalise_query("red\n\nchair"), "red chair");
        assert_eq!(normalise_query("ÉCLAIR  Maß"), "éclair maß");
        assert_eq!(normalise_query("lamp"), "lamp");
        assert_eq!(normalise_query(" \t\n "), "");
    }

    #[test]
    fn long_queries_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_QUERY_CHARS + 10);
        assert_eq!(normalise_query(&long).chars().count(), MAX_QUERY_CHARS);
        let spaced = format!("{} b", "a".repeat(MAX_QUERY_CHARS - 1));
        assert_eq!(normalise_query(&spaced), "a".repeat(MAX_QUERY_CHARS - 1));
    }

    #[test]
    fn a_blank_search_is_no_search() {
        assert!(Captured::search("   ", Default::default(), 3, None).is_none());
        let found = Captured::search(" Lamp ", Default::default(), 0, Some(4)).unwrap();
        assert_eq!(
            found.action,
            Action::Search {
                query: "lamp".into(),
                filters: "{}".into(),
                result_count: 0
            }
        );
    }

    #[test]
    fn a_cache_line_round_trips_the_action_without_the_user() {
        let mut filters = serde_json::Map::new();
        filters.insert("category".into(), "lamps\nand more".into());
        let captured = Captured::search("desk lamp", filters, 2, Some(9)).unwrap();
        let line = captured.cache_line();
        assert!(!line.contains('\n'), "one line: {line}");
        let back = Captured::from_cache_line(&line).unwrap();
        assert_eq!(back.action, captured.action);
        assert_eq!(back.user_id, None);
        let view = Captured::product_view(7, None);
        assert_eq!(Captured::from_cache_line(&view.cache_line()), Some(view));
        assert_eq!(Captured::from_cache_line("not json"), None);
    }

    #[test]
    fn each_action_has_its_kind_and_columns() {
        assert_eq!(Kind::ALL.len(), 10);
        let order = Captured::order(1, 42).action;
        assert_eq!(order.kind().as_str(), "order");
        assert_eq!((order.product_id(), order.order_id()), (None, Some(42)));
        let cart = Captured::add_to_cart(1, 5).action;
        assert_eq!(cart.kind().as_str(), "add_to_cart");
        assert_eq!((cart.product_id(), cart.order_id()), (Some(5), None));
        assert_eq!(Captured::review(1, 6).action.product_id(), Some(6));
        assert_eq!(Captured::login(1).action.kind(), Kind::Login);
        assert_eq!(Captured::register(1).action.kind(), Kind::Register);
        let view = Captured::service_view("s-1", None).action;
        assert_eq!(view.kind().as_str(), "service_view");
        assert_eq!((view.service_id(), view.product_id()), (Some("s-1"), None));
        let like = Captured::service_like(1, "s-2").action;
        assert_eq!(
            (like.kind(), like.service_id()),
            (Kind::ServiceLike, Some("s-2"))
        );
        assert!(Captured::marketplace_search(" ", Default::default(), 0, None).is_none());
    }
}
