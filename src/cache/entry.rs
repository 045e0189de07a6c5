//! A cached catalog answer as sent (body, `Content-Encoding`, `ETag`, the analytics report), how
//! it is stored as bytes and how it is answered again.

use axum::{
    body::Bytes,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::track::Captured;

/// Tells clients (and tests) whether the answer came from the cache.
pub const CACHE_HEADER: &str = "x-cache";

/// The first line of every entry: the layout's version. An entry written by an older layout has
/// none and reads as a miss, which overwrites it.
const FORMAT: &[u8] = b"e2";

/// A cached answer as sent: the body (compressed or not), its `Content-Encoding`, the `ETag` of
/// its JSON, and the analytics report its handler attached (a product view, a search), which
/// every answer served from the entry carries again so the cache hides no view. Stored as
/// `"e2\n{encoding}\n{etag}\n{report}\n"` followed by the body; the report is one line of JSON
/// or empty.
pub(super) struct Entry {
    pub(super) encoding: Option<HeaderValue>,
    pub(super) etag: String,
    pub(super) captured: Option<Captured>,
    pub(super) body: Bytes,
}

impl Entry {
    pub(super) fn encode(&self) -> Bytes {
        let encoding = self
            .encoding
            .as_ref()
            .map_or(&b""[..], HeaderValue::as_bytes);
        let captured = self
            .captured
            .as_ref()
            .map(Captured::cache_line)
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(
            FORMAT.len() + encoding.len() + self.etag.len() + captured.len() + 4 + self.body.len(),
        );
        for line in [FORMAT, encoding, self.etag.as_bytes(), captured.as_bytes()] {
            bytes.extend_from_slice(line);
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&self.body);
        bytes.into()
    }

    /// `None` for anything not written by [`Entry::encode`] (treated as a miss).
    pub(super) fn decode(bytes: Bytes) -> Option<Self> {
        let mut rest = &bytes[..];
        let mut line = || {
            let end = rest.iter().position(|&b| b == b'\n')?;
            let (line, after) = rest.split_at(end);
            rest = &after[1..];
            Some(line)
        };
        if line()? != FORMAT {
            return None;
        }
        let encoding = match line()? {
            [] => None,
            name => Some(HeaderValue::from_bytes(name).ok()?),
        };
        let etag = std::str::from_utf8(line()?).ok()?.to_owned();
        let captured = match line()? {
            [] => None,
            report => Some(Captured::from_cache_line(
                std::str::from_utf8(report).ok()?,
            )?),
        };
        let body = bytes.slice(bytes.len() - rest.len()..);
        Some(Self {
            encoding,
            etag,
            captured,
            body,
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
        if let Some(captured) = self.captured {
            response.extensions_mut().insert(captured);
        }
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
    fn entries_round_trip_with_and_without_an_encoding_and_a_report() {
        for encoding in [None, Some(HeaderValue::from_static("br"))] {
            for captured in [None, Some(Captured::product_view(7, None))] {
                let entry = Entry {
                    encoding: encoding.clone(),
                    etag: "\"abc\"".to_owned(),
                    captured: captured.clone(),
                    body: Bytes::from_static(b"{\"a\":\"x\\ny\"}\n"),
                };
                let back = Entry::decode(entry.encode()).unwrap();
                assert_eq!(back.encoding, encoding);
                assert_eq!(back.etag, "\"abc\"");
                assert_eq!(back.captured, captured);
                assert_eq!(back.body, entry.body);
            }
        }
        assert!(Entry::decode(Bytes::from_static(b"no newline")).is_none());
    }

    #[test]
    fn an_entry_of_the_old_layout_is_a_miss() {
        assert!(Entry::decode(Bytes::from_static(b"br\n\"abc\"\n{}")).is_none());
        assert!(Entry::decode(Bytes::from_static(b"\n\"abc\"\n{\"id\": 1}\n")).is_none());
    }

    #[test]
    fn a_cached_answer_carries_its_report_again() {
        let entry = Entry {
            encoding: None,
            etag: "\"t\"".to_owned(),
            captured: Some(Captured::product_view(3, None)),
            body: Bytes::from_static(b"{}"),
        };
        let response = entry.into_response("HIT");
        assert_eq!(
            response.extensions().get::<Captured>(),
            Some(&Captured::product_view(3, None))
        );
    }
}
