//! Turning uploaded bytes into the images we store: the format is verified by decoding (never
//! by extension or content type), decompression bombs are refused before any pixel is decoded,
//! metadata is dropped by re-encoding, and a thumbnail is made.

use std::{io::Cursor, sync::LazyLock};

use image::{
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    metadata::Orientation,
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits,
};
use tokio::sync::Semaphore;

/// Longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 10_000;
/// Most pixels accepted (40 megapixels: a 7,300 × 5,500 photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Thumbnails fit in a square of this side.
pub const THUMBNAIL_SIZE: u32 = 320;
/// Most memory a decoder may hold: a 40-megapixel RGBA image at 8 bits is 160 MB.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Visually lossless for product photos at a fraction of a lossless format's size.
const JPEG_QUALITY: u8 = 85;

/// Why an upload is not a usable image.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Not one of the accepted formats, or corrupt.
    NotAnImage,
    /// The header announces more pixels than we are willing to decode.
    TooLarge { width: u32, height: u32 },
}

/// One encoded image ready to store.
#[derive(Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub extension: &'static str,
    pub content_type: &'static str,
    /// The encoded pixel size; the upload doesn't store it, the tests check it.
    pub width: u32,
    pub height: u32,
}

/// The stored image and its thumbnail, both in the same format.
#[derive(Debug)]
pub struct Processed {
    pub image: Encoded,
    pub thumbnail: Encoded,
}

/// Decoding a large image takes up to a few hundred MB and a core for a while: at most one per
/// core at a time, so a burst of uploads queues instead of exhausting memory.
static DECODE_PERMITS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// [`process`] on the blocking thread pool, so decoding never stalls the async workers.
pub async fn process_off_thread(bytes: Vec<u8>) -> anyhow::Result<Result<Processed, Rejection>> {
    let _permit = DECODE_PERMITS.acquire().await?;
    Ok(tokio::task::spawn_blocking(move || process(&bytes)).await?)
}

/// Verifies, sanitises and thumbnails one uploaded image.
pub fn process(bytes: &[u8]) -> Result<Processed, Rejection> {
    let format = accepted_format(bytes).ok_or(Rejection::NotAnImage)?;
    let (width, height) = announced_dimensions(bytes, format)?;
    check_dimensions(width, height)?;
    let image = decode(bytes, format, (width, height))?;
    let thumbnail = if image.width() > THUMBNAIL_SIZE || image.height() > THUMBNAIL_SIZE {
        image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
    } else {
        image.clone()
    };
    Ok(Processed {
        image: encode(&image),
        thumbnail: encode(&thumbnail),
    })
}

/// The format the bytes' signature names, when it is one we accept.
fn accepted_format(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) => {
            Some(format)
        }
        _ => None,
    }
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    ImageReader::with_format(Cursor::new(bytes), format)
}

/// Width and height from the header alone: no pixel data is read or allocated.
fn announced_dimensions(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), Rejection> {
    let mut probe = reader(bytes, format);
    // The probe allocates nothing per pixel; limits here would only turn a bomb's clear
    // "too large" answer into a vague decoding error.
    probe.no_limits();
    probe.into_dimensions().map_err(|_| Rejection::NotAnImage)
}

/// The decompression-bomb guard: a few hundred bytes can announce 10 gigapixels.
pub fn check_dimensions(width: u32, height: u32) -> Result<(), Rejection> {
    if width == 0 || height == 0 {
        return Err(Rejection::NotAnImage);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Rejection::TooLarge { width, height });
    }
    Ok(())
}

/// Decodes with limits (a second line of defence behind [`check_dimensions`]) and applies the
/// EXIF orientation, which would otherwise be lost with the metadata and leave photos sideways.
/// Animated GIF and WebP keep their first frame.
fn decode(
    bytes: &[u8],
    format: ImageFormat,
    announced: (u32, u32),
) -> Result<DynamicImage, Rejection> {
    let too_large = |err: ImageError| match err {
        ImageError::Limits(_) => Rejection::TooLarge {
            width: announced.0,
            height: announced.1,
        },
        _ => Rejection::NotAnImage,
    };
    let mut reader = reader(bytes, format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(too_large)?;
    // The output buffer isn't counted by every decoder's own limit checks.
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(Rejection::TooLarge {
            width: announced.0,
            height: announced.1,
        });
    }
    // A malformed EXIF block is no reason to refuse the picture; it is dropped anyway.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(too_large)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Re-encodes from pixels only, so no metadata (EXIF, GPS, XMP, ICC) survives. Opaque images
/// become JPEG; images with an alpha channel become PNG so transparency is kept.
fn encode(image: &DynamicImage) -> Encoded {
    let mut bytes = Vec::new();
    let (width, height) = (image.width(), image.height());
    if image.color().has_alpha() {
        image
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut bytes))
            .expect("encoding RGBA8 pixels into memory as PNG cannot fail");
        Encoded {
            bytes,
            extension: "png",
            content_type: "image/png",
            width,
            height,
        }
    } else {
        image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))
            .expect("encoding RGB8 pixels into memory as JPEG cannot fail");
        Encoded {
            bytes,
            extension: "jpg",
            content_type: "image/jpeg",
            width,
            height,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn png(image: DynamicImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn bombs_are_refused_by_their_announced_size() {
        assert_eq!(check_dimensions(10_000, 4_000), Ok(()));
        assert_eq!(
            check_dimensions(10_001, 10),
            Err(Rejection::TooLarge {
                width: 10_001,
                height: 10
            })
        );
        assert_eq!(
            check_dimensions(8_000, 8_000),
            Err(Rejection::TooLarge {
                width: 8_000,
                height: 8_000
            })
        );
        assert_eq!(check_dimensions(0, 5), Err(Rejection::NotAnImage));
    }

    #[test]
    fn only_the_four_formats_are_accepted_whatever_the_name() {
        assert_eq!(accepted_format(b"GIF89a......"), Some(ImageFormat::Gif));
        assert_eq!(
            accepted_format(b"BM\0\0\0\0\0\0"),
            None,
            "BMP is not accepted"
        );
        assert_eq!(accepted_format(b"hello, I am a text file"), None);
        assert_eq!(
            process(b"\x89PNG\r\n\x1a\n garbage").unwrap_err(),
            Rejection::NotAnImage
        );
    }

    #[test]
    fn opaque_images_become_jpeg_and_transparent_ones_png_with_a_bounded_thumbnail() {
        let photo = png(DynamicImage::ImageRgb8(RgbImage::from_pixel(
            800,
            400,
            Rgb([200, 10, 10]),
        )));
        let processed = process(&photo).unwrap();
        assert_eq!(processed.image.extension, "jpg");
        assert_eq!((processed.image.width, processed.image.height), (800, 400));
        assert_eq!(
            (processed.thumbnail.width, processed.thumbnail.height),
            (320, 160)
        );

        let logo = png(DynamicImage::ImageRgba8(RgbaImage::from_pixel(
            40,
            30,
            Rgba([0, 0, 0, 0]),
        )));
        let processed = process(&logo).unwrap();
        assert_eq!(processed.image.content_type, "image/png");
        assert_eq!(
            (processed.thumbnail.width, processed.thumbnail.height),
            (40, 30),
            "never upscaled"
        );
    }
}
