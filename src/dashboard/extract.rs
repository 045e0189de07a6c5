//! What the dashboard's handlers take: [`StaffForm`] (a posted form whose CSRF token matched its
//! session's), [`AdminSession`] (user management is admin-only) and [`Path`] (a malformed id is
//! the dashboard's 404 page, not the API's JSON one).

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{request::Parts, StatusCode},
    response::Response,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{pages, session::StaffSession};
use crate::state::AppState;

/// A posted `application/x-www-form-urlencoded` form of a signed-in staff member, its CSRF
/// token already checked: a handler that takes it can't forget to.
#[derive(Debug)]
pub struct StaffForm {
    pub session: StaffSession,
    pub fields: Fields,
}

impl FromRequest<AppState> for StaffForm {
    /// No session: to the sign-in page; a wrong or missing token: `403`, nothing done.
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let session = StaffSession::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            pages::message(
                StatusCode::BAD_REQUEST,
                "Bad form",
                "The form could not be read.",
            )
        })?;
        let fields = Fields(form_urlencoded::parse(&bytes).into_owned().collect());
        if !session.csrf_matches(fields.get("csrf_token")) {
            return Err(super::session::forged());
        }
        Ok(Self { session, fields })
    }
}

/// A form's fields as posted, in order (a field may repeat: an image order).
#[derive(Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The last value of `name`, or `""`.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value)
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether the checkbox `name` was ticked (a browser sends only ticked boxes).
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }

    /// The fields as the JSON object the API's request types read (`validation::Form`), each
    /// value a string, except the CSRF token. Checkboxes and blank references need the form's
    /// own touch: `body.insert("is_active", fields.checked("is_active").into())`.
    pub fn body(&self) -> Map<String, Value> {
        self.0
            .iter()
            .filter(|(key, _)| key != "csrf_token")
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect()
    }
}

/// A signed-in admin; a staff member who is not an admin sees "Not allowed" (`403`).
#[derive(Debug)]
pub struct AdminSession(pub StaffSession);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        if session.role.is_admin() {
            Ok(Self(session))
        } else {
            Err(pages::not_allowed(&session))
        }
    }
}

/// Path parameters; one that doesn't parse (`/dashboard/orders/abc/`) is the 404 page.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(_) => Err(pages::not_found(None)),
        }
    }
}
