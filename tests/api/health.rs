//! Health, liveness and readiness probes.

use crate::api_test;

api_test! {
    async fn health_reports_database_and_version(app: TestApp) {
        let response = app.get("/health/").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.body["status"], "healthy");
        assert_eq!(response.body["database"], "ok");
        assert_eq!(response.body["version"], env!("CARGO_PKG_VERSION"));
        assert!(response.body["uptime_seconds"].is_u64());
    }

    async fn every_probe_answers(app: TestApp) {
        for (path, status) in [
            ("/health/liveness/", "alive"),
            ("/health/readiness/", "ready"),
            ("/health/db/", "healthy"),
            ("/health/cache/", "healthy"),
            ("/api/v1/health/", "healthy"),
            ("/health", "healthy"),
        ] {
            let response = app.get(path).await;
            assert_eq!(response.status, 200, "{path}");
            assert_eq!(response.body["status"], status, "{path}");
        }
    }

    async fn an_unreachable_database_makes_health_unhealthy(app: TestApp) {
        app.db.pool.close().await;
        let response = app.get("/health/").await;
        assert_eq!(response.status, 503);
        assert_eq!(response.body["status"], "unhealthy");
        assert_eq!(app.get("/health/readiness/").await.status, 503);
        assert_eq!(app.get("/health/liveness/").await.status, 200);
    }
}
