//! The HTTP edge toolkit: extractors, middleware (request ids, security headers, rate limits,
//! ETags, path normalisation), pagination, the OpenAPI/docs pages, and the response compression
//! and body-limit settings. It assembles no router: `startup::router` merges the feature routers
//! and applies these layers, so no feature has to depend on `http` and `http` on it in return.

pub mod aliases;
pub mod doc_completion;
pub mod docs;
pub mod etag;
pub mod extract;
pub mod in_flight;
pub mod null_characters;
pub mod origin;
pub mod pagination;
pub mod rate_limit;
pub mod request_id;
pub mod security;
pub mod security_log;

use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate, SizeAbove},
        CompressionLayer,
    },
    CompressionLevel,
};

/// Responses at least this large are compressed (gzip or brotli, as the client accepts).
pub const COMPRESSION_MIN_SIZE: u16 = 1024;

/// JSON bodies above this size are refused with `413` (SPEC §3.8). Image uploads raise it for
/// their route only (`product_images::UPLOAD_BODY_LIMIT`).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Response compression: gzip or brotli as the client accepts, for bodies of at least
/// [`COMPRESSION_MIN_SIZE`] bytes except images. Quality 4 rather than the codecs' defaults:
/// brotli's default (11) costs far more CPU per response for bodies only a few percent smaller
/// (docs/PERFORMANCE.md, log 4). The catalog cache compresses with the same layer before storing.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(
            SizeAbove::new(COMPRESSION_MIN_SIZE)
                .and(NotForContentType::IMAGES)
                // The encoder holds output until its buffer fills: events would wait for it.
                .and(NotForContentType::SSE),
        )
}
