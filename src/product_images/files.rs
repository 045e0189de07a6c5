//! The stored files behind an image: written under fresh random keys, deleted once no row
//! points at them.

use super::processing::Processed;
use crate::{
    error::ApiError,
    media::{MediaKey, MediaStore},
};

use super::store::ImageFiles;

/// Writes the image and its thumbnail under fresh random keys, in the product's folder.
pub async fn save(
    media: &dyn MediaStore,
    product_id: i64,
    processed: Processed,
) -> Result<ImageFiles, ApiError> {
    let Processed { image, thumbnail } = processed;
    let folder = format!("products/{product_id}");
    let key = MediaKey::generate(&folder, image.extension).map_err(anyhow::Error::from)?;
    let thumbnail_key = key
        .with_suffix("-thumb", thumbnail.extension)
        .map_err(anyhow::Error::from)?;
    media
        .put(key.as_str(), image.bytes, image.content_type)
        .await?;
    if let Err(err) = media
        .put(
            thumbnail_key.as_str(),
            thumbnail.bytes,
            thumbnail.content_type,
        )
        .await
    {
        delete_files(media, &[key.to_string()]).await;
        return Err(err.into());
    }
    Ok(ImageFiles {
        path: key.to_string(),
        thumbnail_path: thumbnail_key.to_string(),
    })
}

/// Deletes stored files, logging (not returning) failures: the rows are already gone, and a
/// leftover file costs disk space, not correctness.
pub async fn delete_files(media: &dyn MediaStore, keys: &[String]) {
    for key in keys {
        if let Err(err) = media.delete(key).await {
            tracing::warn!(error = ?err, %key, "could not delete a media file; it is left behind");
        }
    }
}
