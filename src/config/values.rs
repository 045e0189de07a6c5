//! How setting values are written: lists, booleans, the media URL.

use anyhow::bail;

/// Splits a comma-separated setting, dropping blanks.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `MEDIA_URL` must be a path (`/media/`) or an `http(s)://` URL; a trailing `/` is added, as
/// keys are appended to it directly.
pub(super) fn parse_media_url(value: &str) -> anyhow::Result<String> {
    let value = value.trim();
    let is_path = value.starts_with('/') && !value.starts_with("//");
    let is_absolute = value.starts_with("http://") || value.starts_with("https://");
    if !is_path && !is_absolute {
        bail!("MEDIA_URL must start with / or http(s)://, not {value:?}");
    }
    if is_path && (value.contains(['?', '#']) || value.split('/').any(|s| s == "..")) {
        bail!("MEDIA_URL must be a plain path like /media/, not {value:?}");
    }
    Ok(if value.ends_with('/') {
        value.to_owned()
    } else {
        format!("{value}/")
    })
}

/// `1/true/yes/on` or `0/false/no/off` (any case); `default` when unset.
pub(super) fn parse_bool(value: Option<&str>, default: bool) -> anyhow::Result<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => bail!("expected true or false, got {other:?}"),
    }
}
