//! The period's validation (`400` with field errors, SPEC §2) and who may read what.

use chrono::{Days, Utc};
use serde_json::json;

use super::dashboard;
use crate::api_test;

const INVALID_DATE: &str = "Enter a valid date. Use one of these formats instead: YYYY-MM-DD.";

api_test! {
    async fn malformed_dates_are_field_errors(app: TestApp) {
        let staff = app.create_staff().await;
        for (query, body) in [
            ("from=2024-13-01", json!({"from": [INVALID_DATE]})),
            ("to=2024-02-30", json!({"to": [INVALID_DATE]})),
            ("from=yesterday&to=1/5/2024", json!({"from": [INVALID_DATE], "to": [INVALID_DATE]})),
            ("from=2024-05-01T00:00:00Z", json!({"from": [INVALID_DATE]})),
            ("from=%202024-05-01x", json!({"from": [INVALID_DATE]})),
        ] {
            let response = app.get_as(&format!("analytics/dashboard/?{query}"), &staff.token).await;
            assert_eq!(response.status, 400, "{query}: {}", response.text);
            assert_eq!(response.body, body, "{query}");
        }
    }

    async fn from_after_to_and_periods_over_366_days_are_refused(app: TestApp) {
        let staff = app.create_staff().await;
        let refused = [
            ("from=2024-05-02&to=2024-05-01", "`from` must be on or before `to`."),
            ("from=2023-01-01&to=2024-01-02", "The period can be at most 366 days."),
            ("from=2024-01-01&to=2025-01-01", "The period can be at most 366 days."),
        ];
        for (query, message) in refused {
            let response = app.get_as(&format!("analytics/dashboard/?{query}"), &staff.token).await;
            assert_eq!(response.status, 400, "{query}: {}", response.text);
            assert_eq!(response.body, json!({"non_field_errors": [message]}), "{query}");
        }
        // 366 days (2024 is a leap year) is the longest period answered.
        let year = dashboard(&app, &staff, "from=2024-01-01&to=2024-12-31").await;
        assert_eq!(year["daily"].as_array().unwrap().len(), 366);
    }

    async fn a_missing_end_takes_its_default(app: TestApp) {
        let staff = app.create_staff().await;
        let today = Utc::now().date_naive();
        let day = |date: chrono::NaiveDate| date.format("%Y-%m-%d").to_string();
        // A blank value is no value, as for every query parameter.
        let both = dashboard(&app, &staff, "from=&to=%20").await;
        assert_eq!(
            (both["from"].as_str().unwrap(), both["to"].as_str().unwrap()),
            (day(today - Days::new(29)).as_str(), day(today).as_str())
        );
        let to_only = dashboard(&app, &staff, "to=2024-03-10").await;
        assert_eq!((to_only["from"].clone(), to_only["to"].clone()), (json!("2024-02-10"), json!("2024-03-10")));
        let from_only = dashboard(&app, &staff, &format!("from={}", day(today - Days::new(4)))).await;
        assert_eq!(from_only["to"], day(today).as_str());
        assert_eq!(from_only["daily"].as_array().unwrap().len(), 5);
        // A `from` after today with no `to` is after the default `to`.
        let tomorrow = day(today + Days::new(1));
        let response = app.get_as(&format!("analytics/dashboard/?from={tomorrow}"), &staff.token).await;
        assert_eq!(response.status, 400, "{}", response.text);
    }

    async fn the_dashboard_is_for_staff_and_admins_only(app: TestApp) {
        let customer = app.create_customer().await;
        let forbidden = app.get_as("analytics/dashboard/", &customer.token).await;
        assert_eq!(forbidden.status, 403, "{}", forbidden.text);
        assert_eq!(forbidden.body["code"], "permission_denied");
        let anonymous = app.get("analytics/dashboard/").await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        assert!(anonymous.headers.contains_key("www-authenticate"));
        // The role is checked before the query: a customer learns nothing from a bad date.
        let bad = app.get_as("analytics/dashboard/?from=nope", &customer.token).await;
        assert_eq!(bad.status, 403);
        let admin = app.create_admin().await;
        assert_eq!(app.get_as("analytics/dashboard/", &admin.token).await.status, 200);
        let staff = app.create_staff().await;
        assert_eq!(app.get_as("analytics/dashboard", &staff.token).await.status, 200);
    }

    async fn my_figures_need_a_signed_in_user(app: TestApp) {
        let anonymous = app.get("analytics/me/").await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        assert_eq!(anonymous.body["code"], "not_authenticated");
    }
}
