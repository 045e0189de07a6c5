//! The appointment write bodies: a proposal (POST) and a change (PATCH), read field by field with
//! DRF's messages. Times are RFC 3339, stored as epoch micros.

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;
use utoipa::ToSchema;

use super::rules::Status;
use crate::{
    marketplace::ids,
    validation::{messages, Form, FromForm},
};

/// Django's `max_length` for the location.
const LOCATION_MAX: usize = 255;

/// The message under `ends_at` when an appointment would end before it starts.
pub const ENDS_BEFORE_START: &str = "Ensure ends_at is later than starts_at.";

// Fields are `None` when absent or invalid; `Draft` holds the errors back so a handler can add
// the unknown contract to the same `400`.
/// A proposed appointment: `contract`, `starts_at` and `ends_at` are required.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct NewAppointment {
    #[schema(value_type = String, format = Uuid, required = true)]
    pub contract: Option<String>,
    /// RFC 3339 (`2026-01-05T09:00:00Z`); a time without an offset is UTC.
    #[schema(value_type = String, format = DateTime, required = true)]
    pub starts_at: Option<i64>,
    /// After `starts_at`; the appointment is the half-open interval `[starts_at, ends_at)`.
    #[schema(value_type = String, format = DateTime, required = true)]
    pub ends_at: Option<i64>,
    pub location: Option<String>,
    pub notes: Option<String>,
}

impl FromForm for NewAppointment {
    fn from_form(form: &mut Form) -> Option<Self> {
        let contract = ids::read_reference(form, "contract", true, false).flatten();
        let starts_at = read_time(form, "starts_at", true);
        let ends_at = read_time(form, "ends_at", true);
        if let (Some(starts), Some(ends)) = (starts_at, ends_at) {
            if ends <= starts {
                form.errors.add("ends_at", ENDS_BEFORE_START);
            }
        }
        Some(Self {
            contract,
            starts_at,
            ends_at,
            location: form.text("location", false, true, Some(LOCATION_MAX)),
            notes: form.text("notes", false, true, None),
        })
    }
}

/// A change to an appointment: a status move, or (by the proposer, while proposed) new times,
/// location or notes. Every field is optional; `contract` and other server-owned fields are ignored.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct AppointmentChange {
    /// `confirmed` (the other party), `cancelled` (either), `done` (either, once confirmed).
    pub status: Option<Status>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<i64>,
    pub location: Option<String>,
    pub notes: Option<String>,
}

impl AppointmentChange {
    /// A change that only moves the status (`DELETE` is a cancel).
    pub fn status(status: Status) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }

    /// True when the body edits the appointment itself, not just its status.
    pub fn edits(&self) -> bool {
        self.starts_at.is_some()
            || self.ends_at.is_some()
            || self.location.is_some()
            || self.notes.is_some()
    }
}

impl FromForm for AppointmentChange {
    fn from_form(form: &mut Form) -> Option<Self> {
        let status = match form.raw("status", false) {
            None => None,
            Some(Value::String(name)) => match Status::parse(name.trim()) {
                Some(status) => Some(status),
                None => form.fail("status", messages::invalid_choice(name.trim())),
            },
            Some(Value::Null) => form.fail("status", messages::NOT_NULL),
            Some(other) => form.fail("status", messages::invalid_choice(&other.to_string())),
        };
        let starts_at = read_time(form, "starts_at", false);
        let ends_at = read_time(form, "ends_at", false);
        if let (Some(starts), Some(ends)) = (starts_at, ends_at) {
            if ends <= starts {
                form.errors.add("ends_at", ENDS_BEFORE_START);
            }
        }
        Some(Self {
            status,
            starts_at,
            ends_at,
            location: form.text("location", false, true, Some(LOCATION_MAX)),
            notes: form.text("notes", false, true, None),
        })
    }
}

/// Reads field `name` as a time in epoch micros: RFC 3339, or an ISO 8601 time without an offset
/// taken as UTC (as Django does with `USE_TZ` and `TIME_ZONE = "UTC"`).
fn read_time(form: &mut Form, name: &str, required: bool) -> Option<i64> {
    match form.raw(name, required)? {
        Value::String(text) => match parse_time(text.trim()) {
            Some(micros) => Some(micros),
            None => form.fail(name, messages::INVALID_DATETIME),
        },
        Value::Null => form.fail(name, messages::NOT_NULL),
        _ => form.fail(name, messages::INVALID_DATETIME),
    }
}

/// Epoch micros of an RFC 3339 time (or an offset-less one, as UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp_micros());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|time| time.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc_3339_or_naive_utc() {
        let utc = parse_time("2026-01-05T09:00:00Z").unwrap();
        assert_eq!(parse_time("2026-01-05T10:00:00+01:00"), Some(utc));
        assert_eq!(parse_time("2026-01-05T09:00:00"), Some(utc));
        assert_eq!(parse_time("2026-01-05T09:00"), Some(utc));
        assert_eq!(parse_time("2026-01-05T09:00:00.5Z"), Some(utc + 500_000));
        for bad in [
            "",
            "tomorrow",
            "2026-01-05",
            "2026-13-05T09:00:00Z",
            "09:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
