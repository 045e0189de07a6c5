//! An average rating as the API shows it. Reviews own it: the average is of their ratings,
//! whether the stats endpoint or a product page shows it.

use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// An average rating: a number rounded to two places, and the integer `0` when there are no
/// reviews (as the Django backend answers).
#[derive(Debug, Clone, Copy, PartialEq, ToSchema)]
#[schema(value_type = f64, example = 4.33)]
pub struct Rating(pub f64);

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rounded = (self.0 * 100.0).round() / 100.0;
        if rounded == 0.0 {
            serializer.serialize_i64(0)
        } else {
            serializer.serialize_f64(rounded)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_round_to_two_places_and_none_is_integer_zero() {
        assert_eq!(serde_json::to_string(&Rating(0.0)).unwrap(), "0");
        assert_eq!(serde_json::to_string(&Rating(3.666_666)).unwrap(), "3.67");
        assert_eq!(serde_json::to_string(&Rating(4.0)).unwrap(), "4.0");
    }
}
