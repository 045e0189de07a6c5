//! Formatting integer cents as the API's decimal strings.
//!
//! A deliberately tiny stand-in for the shared `Money` type the catalog branch introduces; it is
//! swapped for that type on merge, so nothing here should grow.

/// Formats minor units as a decimal string with two places: `1230` → `"12.30"`, `-5` → `"-0.05"`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_format_with_two_places() {
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(1230), "12.30");
        assert_eq!(format_cents(352_500_000), "3525000.00");
        assert_eq!(format_cents(-5), "-0.05");
        assert_eq!(format_cents(i64::MIN), "-92233720368547758.08");
    }
}
