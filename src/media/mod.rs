//! Media storage: where uploaded files (product images) live and how clients reach them.
//!
//! Handlers talk to a [`MediaStore`]; the built-in one is [`LocalMediaStore`] (a directory,
//! `MEDIA_ROOT`, served by this app under `MEDIA_URL` through [`files_router`]). An
//! S3-compatible store can implement the same trait later; see `docs/media.md`.

pub mod key;
mod local;

use std::sync::Arc;

use axum::{
    extract::{FromRef, FromRequestParts, Request},
    http::request::Parts,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use futures_util::future::BoxFuture;
use tower_http::services::ServeDir;

use crate::{config::Settings, error::ApiError, http::origin::RequestOrigin};

pub use key::MediaKey;
pub use local::LocalMediaStore;

/// Somewhere media files can be written, deleted and linked to.
///
/// Keys are relative names minted by the caller ([`MediaKey`]); stores must refuse keys that
/// don't parse as one.
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing any file there; readers never see a partial file.
    fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> BoxFuture<'_, anyhow::Result<()>>;

    /// Removes the file under `key`; a missing file is not an error.
    fn delete(&self, key: &str) -> BoxFuture<'_, anyhow::Result<()>>;

    /// Where clients fetch `key`: a path on this server (`/media/…`) or an absolute URL.
    fn url(&self, key: &str) -> String;
}

/// The store `MEDIA_ROOT` and `MEDIA_URL` configure (the server's, and `import-django`'s).
pub fn store_from_settings(settings: &Settings) -> Arc<dyn MediaStore> {
    Arc::new(LocalMediaStore::new(
        settings.media_root.clone(),
        settings.media_url.clone(),
    ))
}

/// What turns stored keys into the URLs a response carries: the store and the request's origin.
/// Handlers take it as an extractor.
#[derive(Clone)]
pub struct MediaUrls {
    pub store: Arc<dyn MediaStore>,
    /// `scheme://host` of the request (`RequestOrigin::base_url`).
    pub origin: String,
}

impl MediaUrls {
    /// The absolute URL of the stored file `key`.
    pub fn url(&self, key: &str) -> String {
        absolute_url(&self.origin, self.store.url(key))
    }
}

/// Any state that hands out the store (`FromRef`) will do, so media knows nothing of the app
/// state; `AppState`'s impl is in `state.rs`.
impl<S> FromRequestParts<S> for MediaUrls
where
    S: Send + Sync,
    Arc<dyn MediaStore>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let origin = RequestOrigin::from_request_parts(parts, state).await?;
        Ok(Self {
            store: Arc::<dyn MediaStore>::from_ref(state),
            origin: origin.base_url(),
        })
    }
}

/// Makes a store URL absolute: paths get the request's origin (`http://shop.example`), as
/// Django REST Framework renders `ImageField`s; absolute URLs (a CDN) are kept.
pub fn absolute_url(origin_base_url: &str, url: String) -> String {
    if url.starts_with('/') {
        format!("{}{url}", origin_base_url.trim_end_matches('/'))
    } else {
        url
    }
}

/// Serves `MEDIA_ROOT` under `MEDIA_URL` when that is a path on this server; when `MEDIA_URL` is
/// an absolute URL something else (nginx, a CDN) serves the files and this router is empty.
///
/// `nest_service` rather than a documented route: these are static files, not API operations.
pub fn files_router<S: Clone + Send + Sync + 'static>(settings: &Settings) -> Router<S> {
    let prefix = settings.media_url.trim_end_matches('/');
    if !settings.media_url.starts_with('/') || prefix.is_empty() {
        return Router::new();
    }
    let files = ServeDir::new(&settings.media_root)
        .append_index_html_on_directories(false)
        .call_fallback_on_method_not_allowed(true)
        .fallback(tower::service_fn(|request: Request| async move {
            Ok::<_, std::convert::Infallible>(missing_file(request.method()))
        }));
    Router::new()
        .nest_service(prefix, files)
        .layer(middleware::from_fn(cache_forever))
}

/// Unknown files and non-GET methods answer in the SPEC error format.
fn missing_file(method: &Method) -> Response {
    use axum::response::IntoResponse;
    if method == Method::GET || method == Method::HEAD {
        ApiError::not_found().into_response()
    } else {
        ApiError::method_not_allowed(method.as_str()).into_response()
    }
}

/// Stored files never change (every upload gets a fresh random name), so a found file may be
/// cached for good; `nosniff` keeps browsers to the type its extension gives.
async fn cache_forever(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if response.status() == StatusCode::OK || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_paths_get_the_request_origin_and_urls_stay_as_they_are() {
        assert_eq!(
            absolute_url("http://shop.test", "/media/products/1/a.jpg".into()),
            "http://shop.test/media/products/1/a.jpg"
        );
        assert_eq!(
            absolute_url("http://shop.test", "https://cdn.test/a.jpg".into()),
            "https://cdn.test/a.jpg"
        );
    }
}
