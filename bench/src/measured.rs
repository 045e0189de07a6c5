//! What the hand-written clients of `analytics` and `dashboard` saw for one request name: the
//! latencies of its `200` answers and every status, summed up as a report row.

use std::collections::BTreeMap;

use crate::report::{percentile, RequestRow, ScenarioResult};

/// The requests of one name (a period, a page).
#[derive(Debug, Default, Clone)]
pub struct Measured {
    /// Latency (µs, to the answer's headers) → count, of the `200` answers only: an error page
    /// or a redirect to the sign-in page is quick and would flatter the figure.
    pub latencies: BTreeMap<u64, usize>,
    pub max_us: u64,
    /// Answers other than `200`, and requests that got no answer.
    pub errors: u64,
    /// Status code (`failed` when there was no answer) → count, of every request.
    pub status_codes: BTreeMap<String, u64>,
}

impl Measured {
    /// Counts one request whose success is the status `expected` (`200`, or a create's `201`):
    /// its status (`None` when it got no answer) and its latency.
    pub fn record_expecting(&mut self, expected: u16, status: Option<u16>, latency_us: u64) {
        if status == Some(expected) {
            *self.latencies.entry(latency_us).or_default() += 1;
            self.max_us = self.max_us.max(latency_us);
        } else {
            self.errors += 1;
        }
        let status = status.map_or_else(|| "failed".to_owned(), |code| code.to_string());
        *self.status_codes.entry(status).or_default() += 1;
    }

    /// Sends `request` gzip-accepting, records its status and its latency to the answer's
    /// headers, and reads the body to its end (not inflated, as goose does), so the keep-alive
    /// connection is reused for the next request.
    pub async fn send(&mut self, request: reqwest::RequestBuilder) {
        self.send_expecting(200, request).await;
    }

    /// [`Measured::send`] for a request whose success is `expected`.
    pub async fn send_expecting(&mut self, expected: u16, request: reqwest::RequestBuilder) {
        let sent = std::time::Instant::now();
        let answer = request
            .header(reqwest::header::ACCEPT_ENCODING, "gzip")
            .send()
            .await;
        let latency = sent.elapsed().as_micros() as u64;
        let status = match answer {
            Ok(answer) => {
                let status = answer.status().as_u16();
                let _ = answer.bytes().await;
                Some(status)
            }
            Err(_) => None,
        };
        self.record_expecting(expected, status, latency);
    }

    /// Adds another client's requests of the same name.
    pub fn add(&mut self, other: &Measured) {
        for (&latency, &count) in &other.latencies {
            *self.latencies.entry(latency).or_default() += count;
        }
        self.max_us = self.max_us.max(other.max_us);
        self.errors += other.errors;
        for (status, &count) in &other.status_codes {
            *self.status_codes.entry(status.clone()).or_default() += count;
        }
    }

    /// Every request, answered or not.
    pub fn requests(&self) -> u64 {
        self.latencies.values().sum::<usize>() as u64 + self.errors
    }

    /// A result named `name` of these requests over `seconds` (its rows are the caller's).
    pub fn result(&self, name: &str, seconds: f64, peak_rss_kib: u64) -> ScenarioResult {
        let mut result = ScenarioResult::new(name, seconds, peak_rss_kib);
        result.requests = self.requests();
        result.errors = self.errors;
        result.max_us = self.max_us;
        result.set_percentiles(&self.latencies);
        result
    }

    /// The report row of `name`; with `target_p95_us`, whether its p95 is under it with no
    /// errors (a page that fails does not answer in time, however fast it fails).
    pub fn row(&self, name: &str, target_p95_us: Option<u64>) -> RequestRow {
        let p95_us = percentile(&self.latencies, 0.95, self.max_us);
        let answered = !self.latencies.is_empty();
        RequestRow {
            name: name.to_owned(),
            path: None,
            requests: self.requests(),
            p50_us: percentile(&self.latencies, 0.50, self.max_us),
            p95_us,
            p99_us: percentile(&self.latencies, 0.99, self.max_us),
            max_us: self.max_us,
            errors: self.errors,
            status_codes: self.status_codes.clone(),
            meets_target: target_p95_us
                .map(|target| answered && self.errors == 0 && p95_us < target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100 answers of 1..=100 ms, then whatever else is recorded.
    fn hundred_answers() -> Measured {
        let mut measured = Measured::default();
        for ms in 1..=100 {
            measured.record_expecting(200, Some(200), ms * 1000);
        }
        measured
    }

    #[test]
    fn percentiles_are_read_from_the_200_answers_only() {
        let mut measured = hundred_answers();
        // Quick 404s and a redirect must not pull the percentiles down.
        measured.record_expecting(200, Some(404), 10);
        measured.record_expecting(200, Some(404), 10);
        measured.record_expecting(200, Some(303), 10);
        let row = measured.row("page", None);
        assert_eq!(row.p50_us, 50_000);
        assert_eq!(row.p95_us, 95_000);
        assert_eq!(row.p99_us, 99_000);
        assert_eq!(row.max_us, 100_000);
        assert_eq!(row.requests, 103);
        assert_eq!(row.meets_target, None);
    }

    #[test]
    fn every_status_but_200_and_every_failed_request_is_an_error() {
        let mut measured = Measured::default();
        measured.record_expecting(200, Some(200), 5_000);
        measured.record_expecting(200, Some(201), 5_000);
        measured.record_expecting(200, Some(303), 5_000);
        measured.record_expecting(200, Some(500), 5_000);
        measured.record_expecting(200, None, 5_000);
        let row = measured.row("page", None);
        assert_eq!(row.errors, 4);
        assert_eq!(row.requests, 5);
        let statuses: Vec<(&str, u64)> = row
            .status_codes
            .iter()
            .map(|(status, &count)| (status.as_str(), count))
            .collect();
        assert_eq!(
            statuses,
            [
                ("200", 1),
                ("201", 1),
                ("303", 1),
                ("500", 1),
                ("failed", 1)
            ]
        );
    }

    #[test]
    fn clients_add_up() {
        let mut total = Measured::default();
        total.add(&hundred_answers());
        let mut other = Measured::default();
        other.record_expecting(200, Some(200), 250_000);
        other.record_expecting(200, Some(404), 1);
        total.add(&other);
        let row = total.row("page", None);
        assert_eq!((row.requests, row.errors, row.max_us), (102, 1, 250_000));
        assert_eq!(row.status_codes["200"], 101);
    }

    #[test]
    fn the_target_needs_a_p95_under_it_and_no_errors() {
        let fast = hundred_answers();
        assert_eq!(fast.row("page", Some(100_000)).meets_target, Some(true));
        // p95 is 95 ms: not under 95 ms.
        assert_eq!(fast.row("page", Some(95_000)).meets_target, Some(false));
        let mut failing = hundred_answers();
        failing.record_expecting(200, Some(404), 10);
        assert_eq!(failing.row("page", Some(100_000)).meets_target, Some(false));
        let mut missing = Measured::default();
        missing.record_expecting(200, Some(404), 10);
        let row = missing.row("page", Some(100_000));
        assert_eq!((row.p95_us, row.meets_target), (0, Some(false)));
    }
}
