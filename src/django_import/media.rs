//! Product images: each kept product's Django `image` path becomes its first image at the same
//! path, so `MEDIA_URL` serves it where Django did. With `--media-from` (Django's MEDIA_ROOT)
//! each file is checked by decoding it (never by its name), copied unchanged into Nexus' media
//! store, and given a thumbnail; without it the image is its own thumbnail.
//!
//! Files are copied before the database transaction commits (a store is not transactional): a
//! failed import can leave copied files behind, which a rerun overwrites. A dry run copies nothing.

use std::path::Path;

use super::{catalog::Image, report::Report, Kept, Rows};
use crate::{
    config::Settings,
    db::Param,
    media::{self, MediaKey, MediaStore},
    product_images::process_image,
};

/// The summary's name for images (they have no Django table of their own).
const IMAGES: &str = "product images";

/// Plans (and with `media_from`, copies) the images of kept products.
pub async fn import(
    images: Vec<Image>,
    kept: &Kept,
    media_from: Option<&Path>,
    settings: &Settings,
    dry_run: bool,
    report: &mut Report,
) -> anyhow::Result<Rows> {
    let store = media::store_from_settings(settings);
    let images: Vec<Image> = images
        .into_iter()
        .filter(|image| kept.products.contains_key(&image.product_id))
        .collect();
    report.read(IMAGES, images.len());
    let mut rows = Vec::with_capacity(images.len());
    for image in images {
        let Ok(key) = MediaKey::parse(&image.path) else {
            report.skip(IMAGES, image.product_id, "not a safe media path");
            continue;
        };
        let thumbnail = match media_from {
            None => key.clone(),
            Some(dir) => match copy(dir, &key, store.as_ref(), dry_run).await? {
                Ok(thumbnail) => thumbnail,
                Err(reason) => {
                    report.skip(IMAGES, image.product_id, reason);
                    continue;
                }
            },
        };
        rows.push(vec![
            Param::Int(image.product_id),
            Param::Text(key.to_string()),
            Param::Text(thumbnail.to_string()),
            Param::Int(0),
            Param::Int(image.created_at),
        ]);
    }
    report.written(IMAGES, rows.len());
    Ok(Rows {
        table: "product_images",
        columns: &[
            "product_id",
            "path",
            "thumbnail_path",
            "position",
            "created_at",
        ],
        rows,
    })
}

/// Checks `dir/key` is an image Nexus accepts and stores it under `key` with its thumbnail;
/// returns the thumbnail's key, or why the file was not taken.
async fn copy(
    dir: &Path,
    key: &MediaKey,
    store: &dyn MediaStore,
    dry_run: bool,
) -> anyhow::Result<Result<MediaKey, &'static str>> {
    let Ok(bytes) = tokio::fs::read(dir.join(key.as_str())).await else {
        return Ok(Err("file not found"));
    };
    let content_type = image::guess_format(&bytes)
        .map_or("application/octet-stream", |format| format.to_mime_type());
    let Ok(processed) = process_image(bytes.clone()).await? else {
        return Ok(Err("not a readable image"));
    };
    let thumbnail = key.with_suffix("-thumb", processed.thumbnail.extension)?;
    if !dry_run {
        store.put(key.as_str(), bytes, content_type).await?;
        store
            .put(
                thumbnail.as_str(),
                processed.thumbnail.bytes,
                processed.thumbnail.content_type,
            )
            .await?;
    }
    Ok(Ok(thumbnail))
}
