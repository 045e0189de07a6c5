//! The address body (`users/addresses/`), also read inline by checkout as `shipping_address`.

use utoipa::ToSchema;

use crate::{
    accounts::store::AddressFields,
    validation::{Form, FromForm},
};

/// Create/update body. On create (and `PUT`) `first_name, last_name, address_line_1, city,
/// postal_code, country` are required; `PATCH` takes any subset.
#[derive(Debug, Default, ToSchema)]
pub struct AddressRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address_line_1: Option<String>,
    pub address_line_2: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phone_number: Option<String>,
    pub is_default: Option<bool>,
}

/// Each text field: whether it is required, and its longest accepted value in characters.
const FIELDS: [(&str, bool, usize); 8] = [
    ("first_name", true, 100),
    ("last_name", true, 100),
    ("address_line_1", true, 255),
    ("address_line_2", false, 255),
    ("city", true, 100),
    ("postal_code", true, 20),
    ("country", true, 100),
    ("phone_number", false, 20),
];

impl FromForm for AddressRequest {
    /// Required fields may not be blank; optional ones may. A complete body (`POST`, `PUT`, an
    /// inline checkout address) sets an omitted optional field to blank; a `PATCH` leaves it.
    fn from_form(form: &mut Form) -> Option<Self> {
        let [first_name, last_name, address_line_1, address_line_2, city, postal_code, country, phone_number] =
            FIELDS.map(|(name, required, max)| {
                let value = form.text(name, required, !required, Some(max));
                let reset = !required && !form.is_partial() && !form.errors.has(name);
                value.or_else(|| reset.then(String::new))
            });
        let is_default = form.boolean("is_default");
        Some(Self {
            first_name,
            last_name,
            address_line_1,
            address_line_2,
            city,
            postal_code,
            country,
            phone_number,
            is_default,
        })
    }
}

impl AddressRequest {
    /// The given fields over `base` (the stored address for an update).
    pub fn apply(self, base: AddressFields) -> AddressFields {
        let keep = |given: Option<String>, stored: String| given.unwrap_or(stored);
        AddressFields {
            first_name: keep(self.first_name, base.first_name),
            last_name: keep(self.last_name, base.last_name),
            address_line_1: keep(self.address_line_1, base.address_line_1),
            address_line_2: keep(self.address_line_2, base.address_line_2),
            city: keep(self.city, base.city),
            postal_code: keep(self.postal_code, base.postal_code),
            country: keep(self.country, base.country),
            phone_number: keep(self.phone_number, base.phone_number),
        }
    }

    /// A new address (or an order's shipping snapshot) from a complete body.
    pub fn into_fields(self) -> AddressFields {
        self.apply(AddressFields::default())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{error::ApiError, validation};

    fn errors(body: serde_json::Value, partial: bool) -> serde_json::Value {
        match validation::parse::<AddressRequest>(body, partial) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn complete_bodies_need_every_required_field_and_blank_the_optional_ones() {
        let body = json!({"first_name": "Ada", "last_name": "L", "address_line_1": "1 Road",
            "city": "X", "postal_code": "1", "country": "GB"});
        let request = validation::parse::<AddressRequest>(body, false).unwrap();
        let stored = AddressFields {
            phone_number: "123".into(),
            ..Default::default()
        };
        assert_eq!(
            request.apply(stored).phone_number,
            "",
            "a PUT resets omitted optional fields"
        );
        assert_eq!(
            errors(json!({"city": " ", "phone_number": "1".repeat(21)}), false),
            json!({
                "first_name": ["This field is required."],
                "last_name": ["This field is required."],
                "address_line_1": ["This field is required."],
                "city": ["This field may not be blank."],
                "postal_code": ["This field is required."],
                "country": ["This field is required."],
                "phone_number": ["Ensure this field has no more than 20 characters."],
            })
        );
    }

    #[test]
    fn partial_bodies_change_only_what_they_give() {
        let request =
            validation::parse::<AddressRequest>(json!({"city": " Oxford "}), true).unwrap();
        let stored = AddressFields {
            city: "London".into(),
            phone_number: "123".into(),
            ..Default::default()
        };
        let merged = request.apply(stored);
        assert_eq!(
            (merged.city.as_str(), merged.phone_number.as_str()),
            ("Oxford", "123")
        );
    }

    #[test]
    fn an_inline_address_reports_its_fields_under_its_name() {
        let mut form =
            Form::new(json!({"shipping_address": {"first_name": "Grace"}}), false).unwrap();
        assert!(form
            .object::<AddressRequest>("shipping_address", false)
            .is_none());
        let errors = serde_json::to_value(&form.errors).unwrap();
        assert_eq!(
            errors["shipping_address.city"],
            json!(["This field is required."])
        );
        assert!(errors.get("first_name").is_none());
    }
}
