//! Whole numbers in header values, read in one pass over the bytes.

/// The non-negative decimal integer in a header value, or `None`.
///
/// Reads it as trimming the text (spaces and tabs: the only blanks a header value can hold)
/// then parsing a `u64` would, without building a `str`: any other byte (a control or non-ASCII
/// byte, `-`, `.`, `,`, an inner space) and overflow mean no number. A leading `+` is accepted
/// only with `allow_plus` (`u64::from_str` takes one; `content-length` readers commonly do;
/// Auth0's `x-ratelimit-*` values never carry one).
///
/// ```
/// use users_transport::header_number;
/// assert_eq!(header_number(b" 42\t", false), Some(42));
/// assert_eq!(header_number(b"+42", false), None);
/// assert_eq!(header_number(b"+42", true), Some(42));
/// assert_eq!(header_number(b"4 2", true), None);
/// assert_eq!(header_number(b"18446744073709551616", true), None);
/// ```
pub fn header_number(value: &[u8], allow_plus: bool) -> Option<u64> {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !blank(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    let text = value.get(start..end)?;
    let digits = match text.strip_prefix(b"+") {
        Some(rest) if allow_plus => rest,
        _ => text,
    };
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}
