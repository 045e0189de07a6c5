//! The group-commit batch sizes a buying scenario produced, read from the server's `/metrics`
//! (`nexus_group_commit_batch_size`) before it stops: transactions, units and their mean.

/// Prints `group commit: …` for the server at `base_url`; silent when the family is absent
/// (an older binary, or `GROUP_COMMIT=false`).
pub async fn report(base_url: &str) {
    let Ok(response) = reqwest::get(format!("{base_url}/metrics")).await else {
        return;
    };
    let Ok(text) = response.text().await else {
        return;
    };
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    let (Some(sum), Some(count)) = (
        value("nexus_group_commit_batch_size_sum"),
        value("nexus_group_commit_batch_size_count"),
    ) else {
        return;
    };
    if count > 0.0 {
        let buckets: Vec<String> = text
            .lines()
            .filter_map(|line| line.strip_prefix("nexus_group_commit_batch_size_bucket{le=\""))
            .filter_map(|rest| rest.split_once("\"} "))
            .map(|(le, n)| format!("≤{le}: {n}"))
            .collect();
        let reruns = value("nexus_group_commit_reruns_total").unwrap_or(0.0);
        println!(
            "group commit: {count} transactions for {sum} units, {:.1} per transaction, \
             {reruns} re-run alone; cumulative {}",
            sum / count,
            buckets.join(" ")
        );
    }
}
