//! A cached catalog answer as sent (body, `Content-Encoding`, `ETag`), how it is stored as bytes
//! and how it is answered again.

use axum::{
    body::Bytes,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

/// Tells clients (and tests) whether the answer came from the cache.
pub const CACHE_HEADER: &str = "x-cache";

/// A cached answer as sent: the body (compressed or not), its `Content-Encoding` and the `ETag`
/// of its JSON. Stored as `"{encoding}\n{etag}\n"` followed by the body.
pub(super) struct Entry {
    pub(super) encoding: Option<HeaderValue>,
    pub(super) etag: String,
    pub(super) body: Bytes,
}

impl Entry {
    pub(super) fn encode(&self) -> Bytes {
        let encoding = self
            .encoding
            .as_ref()
            .map_or(&b""[..], HeaderValue::as_bytes);
        let mut bytes = Vec::with_capacity(encoding.len() + self.etag.len() + 2 + self.body.len());
        bytes.extend_from_slice(encoding);
        bytes.push(b'\n');
        bytes.extend_from_slice(self.etag.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(&self.body);
        bytes.into()
    }

    /// `None` for anything not written by [`Entry::encode`] (treated as a miss).
    pub(super) fn decode(bytes: Bytes) -> Option<Self> {
        let first = bytes.iter().position(|&b| b == b'\n')?;
        let second = first + 1 + bytes[first + 1..].iter().position(|&b| b == b'\n')?;
        let encoding = match &bytes[..first] {
            [] => None,
            name => Some(HeaderValue::from_bytes(name).ok()?),
        };
        let etag = std::str::from_utf8(&bytes[first + 1..second])
            .ok()?
            .to_owned();
        Some(Self {
            encoding,
            etag,
            body: bytes.slice(second + 1..),
        })
    }

    /// The answer, `cache_state` (`HIT` or `MISS`) in [`CACHE_HEADER`].
    pub(super) fn into_response(self, cache_state: &'static str) -> Response {
        let mut response = json_response(self.body);
        let headers = response.headers_mut();
        headers.insert(CACHE_HEADER, HeaderValue::from_static(cache_state));
        if let Ok(etag) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, etag);
        }
        if let Some(encoding) = self.encoding {
            headers.insert(header::CONTENT_ENCODING, encoding);
        }
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

/// A `200` with `bytes` as its JSON body.
pub(super) fn json_response(bytes: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_with_and_without_an_encoding() {
        for encoding in [None, Some(HeaderValue::from_static("br"))] {
            let entry = Entry {
                encoding: encoding.clone(),
                etag: "\"abc\"".to_owned(),
                body: Bytes::from_static(b"{\"a\":\"x\\ny\"}\n"),
            };
            let back = Entry::decode(entry.encode()).unwrap();
            assert_eq!(back.encoding, encoding);
            assert_eq!(back.etag, "\"abc\"");
            assert_eq!(back.body, entry.body);
        }
        assert!(Entry::decode(Bytes::from_static(b"no newline")).is_none());
    }
}
