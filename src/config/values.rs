//! How setting values are written: lists, booleans, the media URL.

use anyhow::{bail, Context};

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

/// A count or duration setting `name`: a whole number above 0; `default` when unset.
pub(super) fn positive_number(
    name: &str,
    value: Option<String>,
    default: u64,
) -> anyhow::Result<u64> {
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("{name} must be a whole number above 0, not {v:?}")),
    }
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

/// A variable lookup over fixed pairs, for the settings' unit tests.
#[cfg(test)]
pub(super) fn lookup_in<'a>(pairs: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |key| {
        pairs
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| (*value).to_owned())
    }
}
