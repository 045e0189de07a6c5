//! Reading the upload form (`multipart/form-data`: `image`, `alt_text`, `position`) with
//! Django REST Framework's messages for each way it can be wrong.

use axum::{
    extract::{multipart::MultipartError, FromRequest, Multipart, Request},
    http::{header, StatusCode},
};
use utoipa::ToSchema;

use crate::{
    error::{ApiError, FieldErrors},
    validation::messages,
};

/// Largest image file accepted (SPEC §3.8: uploads 5 MB).
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// The request body limit for the upload route: the file plus room for the form's other parts
/// and boundaries, so a file just under the cap isn't refused for its envelope.
pub const UPLOAD_BODY_LIMIT: usize = MAX_IMAGE_BYTES + 64 * 1024;
/// Longest `alt_text`, as a `CharField(max_length=255)`.
pub const MAX_ALT_TEXT_CHARS: usize = 255;

/// The upload form (`multipart/form-data`), read part by part before the image is decoded.
// Read by [`read`], not through `validation::FromForm`: that toolkit reads JSON bodies, and a
// multipart body streams a file part that must be cut off at the size limit as it arrives.
#[derive(Debug, ToSchema)]
pub struct ImageUploadForm {
    /// JPEG, PNG, WebP or GIF, at most 5 MB and 10,000 px a side / 40 megapixels; checked by
    /// decoding, whatever the file name or content type says.
    #[schema(value_type = String, format = Binary)]
    pub image: Vec<u8>,
    /// Up to 255 characters; empty when not given.
    #[schema(value_type = Option<String>)]
    pub alt_text: String,
    /// Display order; defaults to after the product's last image.
    #[schema(minimum = 0)]
    pub position: Option<i64>,
}

/// The `413` for an image (or a whole body) over the limit.
pub fn too_large() -> ApiError {
    ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The uploaded file is too large: images may be at most 5 MB.",
    )
}

/// Reads the form; anything but `multipart/form-data` is a `415`.
pub async fn read(request: Request) -> Result<ImageUploadForm, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return Err(ApiError::unsupported_media_type(essence));
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| parse_error(rejection.body_text()))?;
    read_fields(&mut multipart).await
}

/// Reads the form's remaining parts (the dashboard first reads its CSRF token part itself), the
/// image cut off at [`MAX_IMAGE_BYTES`] as it arrives; each problem is in DRF's words.
pub async fn read_fields(multipart: &mut Multipart) -> Result<ImageUploadForm, ApiError> {
    let mut image: Option<Result<Vec<u8>, &'static str>> = None;
    let mut alt_text = None;
    let mut position = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            // The first `image` part wins; later ones are skipped unread.
            Some("image") if image.is_none() => {
                if field.file_name().is_none() {
                    image = Some(Err(messages::NOT_A_FILE));
                    continue;
                }
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                image = Some(Ok(bytes));
            }
            Some("alt_text") => alt_text = Some(field.text().await.map_err(multipart_error)?),
            Some("position") => position = Some(field.text().await.map_err(multipart_error)?),
            // Unknown parts are ignored, as DRF ignores unknown fields.
            _ => {}
        }
    }
    validate(image, alt_text, position)
}

fn validate(
    image: Option<Result<Vec<u8>, &'static str>>,
    alt_text: Option<String>,
    position: Option<String>,
) -> Result<ImageUploadForm, ApiError> {
    let mut errors = FieldErrors::new();
    let image = match image {
        None => {
            errors.add("image", messages::NO_FILE);
            Vec::new()
        }
        Some(Err(message)) => {
            errors.add("image", message);
            Vec::new()
        }
        Some(Ok(bytes)) if bytes.is_empty() => {
            errors.add("image", messages::EMPTY_FILE);
            bytes
        }
        Some(Ok(bytes)) => bytes,
    };
    let alt_text = alt_text.unwrap_or_default().trim().to_owned();
    if alt_text.contains('\0') {
        errors.add("alt_text", crate::http::extract::NULL_CHARACTERS);
    } else if alt_text.chars().count() > MAX_ALT_TEXT_CHARS {
        errors.add("alt_text", messages::max_length(MAX_ALT_TEXT_CHARS));
    }
    let position = match position.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            Ok(_) => {
                errors.add("position", messages::min_value(0));
                None
            }
            Err(_) => {
                errors.add("position", messages::INVALID_INTEGER);
                None
            }
        },
    };
    errors.into_result()?;
    Ok(ImageUploadForm {
        image,
        alt_text,
        position,
    })
}

fn parse_error(reason: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "parse_error",
        format!("Multipart form parse error - {reason}"),
    )
}

/// A body over the route's limit surfaces here, while the parts are being read.
fn multipart_error(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        parse_error(err.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(result: Result<ImageUploadForm, ApiError>) -> serde_json::Value {
        match result {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_or_empty_file_uses_drf_messages() {
        assert_eq!(
            errors_of(validate(None, None, None)),
            serde_json::json!({"image": ["No file was submitted."]})
        );
        assert_eq!(
            errors_of(validate(Some(Ok(Vec::new())), None, None)),
            serde_json::json!({"image": ["The submitted file is empty."]})
        );
    }

    #[test]
    fn alt_text_and_position_are_checked() {
        let long = "x".repeat(256);
        assert_eq!(
            errors_of(validate(Some(Ok(vec![1])), Some(long), Some("-1".into()))),
            serde_json::json!({
                "alt_text": ["Ensure this field has no more than 255 characters."],
                "position": ["Ensure this value is greater than or equal to 0."]
            })
        );
        assert_eq!(
            errors_of(validate(Some(Ok(vec![1])), None, Some("two".into()))),
            serde_json::json!({"position": ["A valid integer is required."]})
        );
        let form = validate(
            Some(Ok(vec![1])),
            Some("  Front  ".into()),
            Some(" 3 ".into()),
        )
        .unwrap();
        assert_eq!((form.alt_text.as_str(), form.position), ("Front", Some(3)));
        assert_eq!(
            validate(Some(Ok(vec![1])), None, Some("".into()))
                .unwrap()
                .position,
            None
        );
    }
}
