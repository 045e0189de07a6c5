//! The analytics response shapes (SPEC §5): the dashboard and a user's own figures.

use super::{categorise, dashboard, Shop, PERIOD};
use crate::{api_test, assert_shape};

api_test! {
    async fn dashboard_and_my_figures_shapes(app: TestApp) {
        let shop = Shop::open(&app).await;
        categorise(&app, shop.lamp, "Lighting").await;
        categorise(&app, shop.desk, "Furniture").await;
        let body = dashboard(&app, &shop.staff, PERIOD).await;
        assert_shape!(app, "analytics_dashboard", body);
        let me = app.get_as("analytics/me/", &shop.ann.token).await;
        assert_eq!(me.status, 200, "{}", me.text);
        assert_shape!(app, "analytics_me", me.body);
    }
}
