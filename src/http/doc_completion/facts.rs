//! What an operation is, as far as the shared layers care (has a body, takes a token, is
//! paginated...), read from its annotation, and the error statuses those facts imply.

use utoipa::openapi::path::{Operation, ParameterIn};

use crate::http::{etag, rate_limit};

/// What an operation is, as far as the shared layers care.
pub(super) struct Facts {
    json_body: bool,
    any_body: bool,
    query: bool,
    paginated: bool,
    path_parameters: bool,
    /// Takes a token: required, or optional (an invalid one is still a `401`).
    authenticated: bool,
    /// Names a role in its security requirement (`("bearer" = ["staff"])`).
    role: bool,
    rate_limited: bool,
    database: bool,
    etag: bool,
}

impl Facts {
    pub(super) fn of(path: &str, method: &str, operation: &Operation) -> Self {
        let parameters = operation.parameters.as_deref().unwrap_or_default();
        let has = |place: ParameterIn| {
            parameters
                .iter()
                .any(|p| std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&place))
        };
        let body_types: Vec<&String> = operation
            .request_body
            .iter()
            .flat_map(|body| body.content.keys())
            .collect();
        let security = serde_json::to_value(&operation.security).unwrap_or_default();
        let requirements = security.as_array().cloned().unwrap_or_default();
        let probe = path.starts_with("/health/")
            || path.starts_with("/api/v1/health/")
            || path == "/metrics";
        Self {
            json_body: body_types.iter().any(|t| t.as_str() == "application/json"),
            any_body: !body_types.is_empty(),
            query: has(ParameterIn::Query),
            paginated: parameters.iter().any(|p| p.name == "page"),
            path_parameters: has(ParameterIn::Path),
            authenticated: requirements
                .iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty())),
            role: requirements.iter().any(|r| {
                r.as_object().is_some_and(|r| {
                    r.values()
                        .any(|roles| roles.as_array().is_some_and(|a| !a.is_empty()))
                })
            }),
            rate_limited: !rate_limit::is_exempt(path),
            database: !probe,
            etag: method == "get" && etag::TAGGED_ROUTES.contains(&path),
        }
    }

    /// `(status, description)` of each status these facts imply.
    pub(super) fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        let mut statuses = Vec::new();
        if self.etag {
            statuses.push((
                "304",
                "Not modified: the `If-None-Match` tag matches (anonymous reads only).",
            ));
        }
        if self.any_body || self.query {
            statuses.push((
                "400",
                "Invalid input: a field map (`{\"field\": [\"message\"]}`), or `{detail, code}` \
                 (`parse_error` for a body that is not JSON).",
            ));
        }
        if self.authenticated {
            statuses.push((
                "401",
                "No token where one is required, or a token that is not valid \
                 (`WWW-Authenticate: Bearer`).",
            ));
        }
        if self.role {
            statuses.push(("403", "Signed in without the role this operation requires."));
        }
        if self.path_parameters && self.paginated {
            statuses.push((
                "404",
                "Not found, or `Invalid page.` (a page past the last).",
            ));
        } else if self.path_parameters {
            statuses.push(("404", "Not found."));
        } else if self.paginated {
            statuses.push(("404", "`Invalid page.`: a page past the last."));
        }
        if self.any_body {
            statuses.push(("413", "Request body too large (`payload_too_large`)."));
            statuses.push((
                "415",
                if self.json_body {
                    "Body not sent as `application/json` (`unsupported_media_type`)."
                } else {
                    "Body of an unsupported media type (`unsupported_media_type`)."
                },
            ));
        }
        if self.rate_limited {
            statuses.push((
                "429",
                "Rate limited (`throttled`); `Retry-After` gives the seconds to wait.",
            ));
        }
        if self.database {
            statuses.push((
                "503",
                "Database unavailable (`service_unavailable`); retry later.",
            ));
        }
        statuses
    }
}
