//! The response-body cap, shared by both backends.

use bytes::{Bytes, BytesMut};
use http::HeaderMap;

use crate::{TransportError, TransportErrorKind};

/// Accumulates a response body frame by frame and fails as soon as it would exceed the cap, so
/// the excess is never buffered.
pub(crate) struct CappedBody {
    max: usize,
    first: Option<Bytes>,
    rest: BytesMut,
}

impl CappedBody {
    /// Starts collecting; fails at once when the declared `content-length` of a response that
    /// has a body is over the cap. (A response to HEAD, and 1xx, 204 and 304 responses, declare
    /// the length of a body they never send.)
    pub(crate) fn new(
        max: usize,
        method: &http::Method,
        status: http::StatusCode,
        headers: &HeaderMap,
    ) -> Result<Self, TransportError> {
        let has_body = method != http::Method::HEAD
            && !status.is_informational()
            && status != http::StatusCode::NO_CONTENT
            && status != http::StatusCode::NOT_MODIFIED;
        let declared = declared_length(headers).filter(|_| has_body);
        if declared.is_some_and(|len| len > max as u64) {
            return Err(too_large());
        }
        Ok(Self {
            max,
            first: None,
            rest: BytesMut::new(),
        })
    }

    /// Adds one data frame.
    pub(crate) fn push(&mut self, chunk: Bytes) -> Result<(), TransportError> {
        let held = self.first.as_ref().map_or(0, Bytes::len) + self.rest.len();
        if chunk.len() > self.max.saturating_sub(held) {
            return Err(too_large());
        }
        if chunk.is_empty() {
            return Ok(());
        }
        // A body that arrives in one frame (the common case) is returned without copying.
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            first => {
                if let Some(first) = first {
                    self.rest.extend_from_slice(&first);
                }
                self.rest.extend_from_slice(&chunk);
            }
        }
        Ok(())
    }

    /// The whole body.
    pub(crate) fn finish(self) -> Bytes {
        match self.first {
            Some(first) => first,
            None => self.rest.freeze(),
        }
    }
}

/// The `content-length` as a number, read as its text trimmed and parsed as `u64` would be.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    crate::header_number(headers.get(http::header::CONTENT_LENGTH)?.as_bytes(), true)
}

fn too_large() -> TransportError {
    TransportError::new(TransportErrorKind::BodyTooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(max: usize, headers: &HeaderMap) -> Result<CappedBody, TransportError> {
        CappedBody::new(max, &http::Method::GET, http::StatusCode::OK, headers)
    }

    fn headers_with_length(len: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from_str(len).expect("a valid header value"),
        );
        headers
    }

    #[test]
    fn frames_up_to_the_cap_are_kept_in_order() {
        let mut body = new(6, &HeaderMap::new()).expect("no declared length");
        for frame in ["ab", "", "cd", "ef"] {
            assert!(body.push(Bytes::from(frame)).is_ok());
        }
        assert_eq!(body.finish(), Bytes::from_static(b"abcdef"));
    }

    #[test]
    fn one_byte_over_the_cap_fails() {
        let mut body = new(4, &HeaderMap::new()).expect("no declared length");
        assert!(body.push(Bytes::from_static(b"abc")).is_ok());
        let error = body
            .push(Bytes::from_static(b"de"))
            .expect_err("over the cap");
        assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge);
    }

    #[test]
    fn a_declared_length_over_the_cap_fails_before_reading() {
        let error = new(10, &headers_with_length("11")).err();
        assert_eq!(
            error.map(|e| e.kind()),
            Some(TransportErrorKind::BodyTooLarge)
        );
        assert!(new(10, &headers_with_length("10")).is_ok());
        // An unparsable length is left to the HTTP parser; the frame-by-frame cap still applies.
        assert!(new(10, &headers_with_length("lots")).is_ok());
    }

    #[test]
    fn lengths_declared_for_bodies_never_sent_are_ignored() {
        let headers = headers_with_length("11");
        let head = CappedBody::new(10, &http::Method::HEAD, http::StatusCode::OK, &headers);
        assert!(head.is_ok());
        for status in [204, 304, 103] {
            let status = http::StatusCode::from_u16(status).expect("a valid status");
            let body = CappedBody::new(10, &http::Method::GET, status, &headers);
            assert!(body.is_ok(), "{status}");
        }
    }

    #[test]
    fn declared_lengths_read_as_text_parsed_as_u64() {
        let values: [&[u8]; 16] = [
            b"10",
            b" 10\t",
            b"+10",
            b"++10",
            b"+",
            b"",
            b"  ",
            b"-1",
            b"1 0",
            b"0x10",
            b"18446744073709551615",
            b"18446744073709551616",
            b"1e3",
            b"\xff1",
            b"1\x0b",
            b"007",
        ];
        for bytes in values {
            let Ok(value) = http::HeaderValue::from_bytes(bytes) else {
                continue;
            };
            let reference = value
                .to_str()
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok());
            let mut headers = HeaderMap::new();
            headers.insert(http::header::CONTENT_LENGTH, value);
            assert_eq!(declared_length(&headers), reference, "{bytes:?}");
        }
    }

    #[test]
    fn a_single_frame_is_returned_as_is() {
        let mut body = new(16, &HeaderMap::new()).expect("no declared length");
        let frame = Bytes::from_static(b"exact");
        assert!(body.push(frame.clone()).is_ok());
        assert_eq!(body.finish(), frame);
    }
}
