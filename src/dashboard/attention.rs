//! The overview's "needs attention" (SPEC §3.9): low-stock products, reported reviews still
//! public, failed payments and failed jobs, each as a count and its first few, through the
//! features' own fronts (the same lists the sections page through).

use serde::Serialize;

use crate::{
    error::ApiError,
    http::pagination::PageRequest,
    inventory::{self, LowStockProduct},
    jobs::{self, FailedJob},
    orders::{self, OrderFilter, OrderStatus, OrderView},
    reviews::{self, ReportedReview},
    state::AppState,
};

/// How many of each list the overview shows (the section behind the link has the rest).
const SHOWN: i64 = 5;

/// What staff should look at, each with how many there are in all.
#[derive(Debug, Serialize)]
pub struct NeedsAttention {
    pub low_stock: Listed<LowStockProduct>,
    pub reported_reviews: Listed<ReportedReview>,
    pub failed_payments: Listed<OrderView>,
    pub failed_jobs: Listed<FailedJob>,
}

/// The first [`SHOWN`] of a list and its full count.
#[derive(Debug, Serialize)]
pub struct Listed<T> {
    pub count: i64,
    pub first: Vec<T>,
}

/// The four lists, read side by side.
pub async fn needs_attention(state: &AppState) -> Result<NeedsAttention, ApiError> {
    let first = PageRequest::parse(String::new(), &format!("page_size={SHOWN}"))?;
    let threshold = state.settings.notifications.low_stock_threshold;
    let failed = OrderFilter {
        status: Some(OrderStatus::Failed),
        ..OrderFilter::default()
    };
    let (low_stock, reported, payments, jobs) = tokio::join!(
        async {
            let mut conn = state.db.pool.acquire().await?;
            Ok::<_, ApiError>(inventory::low_stock(&mut conn, threshold, SHOWN).await?)
        },
        // Hidden reviews are dealt with; the queue's default view is the public ones.
        reviews::reported_reviews(state, Some(false), &first),
        orders::list_all(&state.db, &failed, &first),
        jobs::latest_failed_jobs(&state.db, SHOWN, 0),
    );
    let (low_count, low_first) = low_stock?;
    let (reported, payments) = (reported?, payments?);
    let (jobs_count, jobs_first) = jobs?;
    Ok(NeedsAttention {
        low_stock: Listed {
            count: low_count,
            first: low_first,
        },
        reported_reviews: Listed {
            count: reported.count,
            first: reported.results,
        },
        failed_payments: Listed {
            count: payments.count,
            first: payments.results,
        },
        failed_jobs: Listed {
            count: jobs_count,
            first: jobs_first,
        },
    })
}
