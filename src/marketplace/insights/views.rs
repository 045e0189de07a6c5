//! The figures as the API shows them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{money::Money, reviews::Rating};

/// How many contracts are at each status.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ContractsByStatus {
    pub active: i64,
    pub delivered: i64,
    pub completed: i64,
    pub disputed: i64,
    pub cancelled: i64,
}

/// How many requests are at each status.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct RequestsByStatus {
    pub open: i64,
    pub awarded: i64,
    pub closed: i64,
    pub cancelled: i64,
}

/// One of the provider's services and how it is doing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceFigures {
    #[schema(value_type = String, format = Uuid)]
    pub service_id: String,
    pub title: String,
    pub is_active: bool,
    /// Page views over the analytics retention window.
    pub views: i64,
    pub likes_count: i64,
    pub rating: Rating,
    pub reviews_count: i64,
}

/// One calendar month (UTC) of a provider's activity.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProviderMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub proposals_sent: i64,
    pub proposals_won: i64,
    pub contracts_completed: i64,
    /// Prices of the contracts completed that month.
    pub revenue: Money,
}

/// `GET analytics/provider/`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderFiguresView {
    #[schema(value_type = String, format = Uuid)]
    pub provider_id: String,
    pub services: i64,
    pub active_services: i64,
    /// Views of all their services over the analytics retention window.
    pub views: i64,
    /// Each service, most viewed first.
    pub by_service: Vec<ServiceFigures>,
    pub proposals_sent: i64,
    /// Proposals accepted.
    pub proposals_won: i64,
    /// `proposals_won / proposals_sent`, 0 when none were sent.
    pub win_rate: f64,
    pub contracts: ContractsByStatus,
    /// Prices of their completed contracts.
    pub revenue: Money,
    pub rating: Rating,
    pub reviews_count: i64,
    /// The last twelve months, oldest first, the current one last.
    pub monthly: Vec<ProviderMonth>,
}

/// A category a client asks for often.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FavouriteServiceCategory {
    #[schema(value_type = String, format = Uuid)]
    pub category_id: String,
    pub name: String,
    pub requests: i64,
}

/// A search the client made over services.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecentSearch {
    pub query: String,
    pub searched_at: String,
}

/// `GET analytics/client/`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientFiguresView {
    pub requests: i64,
    pub requests_by_status: RequestsByStatus,
    pub contracts: i64,
    pub contracts_by_status: ContractsByStatus,
    /// Prices of their completed contracts.
    pub spending: Money,
    /// Up to five, most requested first.
    pub favourite_categories: Vec<FavouriteServiceCategory>,
    /// Their last ten searches over services (within the analytics retention window), newest
    /// first.
    pub recent_searches: Vec<RecentSearch>,
}

impl ContractsByStatus {
    /// Adds `count` contracts at `status` (an unknown status is not counted).
    pub fn add(&mut self, status: &str, count: i64) {
        match status {
            "active" => self.active += count,
            "delivered" => self.delivered += count,
            "completed" => self.completed += count,
            "disputed" => self.disputed += count,
            "cancelled" => self.cancelled += count,
            _ => {}
        }
    }
}

impl RequestsByStatus {
    /// Adds `count` requests at `status` (an unknown status is not counted).
    pub fn add(&mut self, status: &str, count: i64) {
        match status {
            "open" => self.open += count,
            "awarded" => self.awarded += count,
            "closed" => self.closed += count,
            "cancelled" => self.cancelled += count,
            _ => {}
        }
    }
}
