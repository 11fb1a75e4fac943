//! `UserId` splitting and `encodeURIComponent`-exact percent-encoding.

use proptest::prelude::*;
use users_model::{UserId, decode_component, encode_component, encode_component_into};

/// Modest by default; `PROPTEST_CASES` overrides.
fn config(cases: u32) -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    }
}

/// An independent reading of ECMA-262 `encodeURIComponent`: unreserved characters stay, every
/// other character becomes the `%XX` escapes of its UTF-8 bytes with upper-case hex.
fn reference_encode(s: &str) -> String {
    const UNRESERVED: &str = "-_.!~*'()";
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || UNRESERVED.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// Lower-cases the hex digits of every `%XX` escape.
fn lowercase_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut hex_left = 0;
    for c in s.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            hex_left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    out
}

/// Strings rich in the characters that matter for paths and queries.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9|/?#%&=+@ .!~*'()\\-_:;,\\[\\]{}\"<>\\\\^`$]{0,40}",
        "[|%/]{0,10}",
    ]
}

#[test]
fn encode_matches_encode_uri_component_vectors() {
    for (input, expected) in [
        ("auth0|123", "auth0%7C123"),
        ("jane+test@example.com", "jane%2Btest%40example.com"),
        ("a b", "a%20b"),
        ("-_.!~*'()", "-_.!~*'()"),
        ("AZaz09", "AZaz09"),
        ("/?#%&=", "%2F%3F%23%25%26%3D"),
        (
            ":;,$[]{}\"<>\\^`",
            "%3A%3B%2C%24%5B%5D%7B%7D%22%3C%3E%5C%5E%60",
        ),
        ("é", "%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("😀", "%F0%9F%98%80"),
        ("\u{0}\u{7f}", "%00%7F"),
        ("", ""),
    ] {
        assert_eq!(encode_component(input), expected, "{input:?}");
        assert_eq!(decode_component(expected).as_deref(), Some(input));
    }
}

#[test]
fn user_id_path_segment_vectors() {
    let id = UserId::new("google-oauth2|108091299999329986433").unwrap();
    assert_eq!(
        id.to_path_segment(),
        "google-oauth2%7C108091299999329986433"
    );
    let id: UserId = "samlp|example-samlp-connection|username@domain.com"
        .parse()
        .unwrap();
    assert_eq!(id.provider(), Some("samlp"));
    assert_eq!(id.id(), "example-samlp-connection|username@domain.com");
    assert_eq!(
        id.to_path_segment(),
        "samlp%7Cexample-samlp-connection%7Cusername%40domain.com"
    );
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        r#""samlp|example-samlp-connection|username@domain.com""#
    );
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn encoding_round_trips_and_matches_reference(s in tricky_string()) {
        let encoded = encode_component(&s);
        prop_assert_eq!(&encoded, &reference_encode(&s));
        prop_assert_eq!(decode_component(&encoded), Some(s.clone()));
        // Lower-case hex is decoded too (other encoders emit it).
        prop_assert_eq!(decode_component(&lowercase_escapes(&encoded)), Some(s));
    }

    #[test]
    fn encoding_into_a_buffer_appends_the_same_text(prefix in tricky_string(), s in tricky_string()) {
        let mut out = prefix.clone();
        encode_component_into(&s, &mut out);
        prop_assert_eq!(out, format!("{prefix}{}", encode_component(&s)));
    }

    #[test]
    fn encoded_segment_has_only_unreserved_and_escapes(s in tricky_string()) {
        let encoded = encode_component(&s);
        let bytes = encoded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let hex = bytes.get(i + 1..i + 3).unwrap_or_default();
                prop_assert!(hex.len() == 2 && hex.iter().all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)), "{}", encoded);
                i += 3;
            } else {
                prop_assert!(b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b), "{}", encoded);
                i += 1;
            }
        }
        for c in ['/', '?', '#', '|', ' ', '&', '+'] {
            prop_assert!(!encoded.contains(c));
        }
    }

    #[test]
    fn decode_never_panics(s in any::<String>()) {
        if let Some(decoded) = decode_component(&s) {
            // Decoding is exact: encoding the result and decoding again is stable.
            prop_assert_eq!(decode_component(&encode_component(&decoded)), Some(decoded));
        }
        if !s.contains('%') {
            prop_assert_eq!(decode_component(&s), Some(s));
        }
    }

    #[test]
    fn user_id_splits_at_first_bar(provider in "[^|]{0,12}", rest in tricky_string()) {
        let whole = format!("{provider}|{rest}");
        let id = UserId::new(whole.clone()).unwrap();
        prop_assert_eq!(id.provider(), Some(provider.as_str()));
        prop_assert_eq!(id.id(), rest.as_str());
        prop_assert_eq!(id.as_str(), whole.as_str());
        prop_assert_eq!(decode_component(&id.to_path_segment()), Some(whole.clone()));
        let parsed: UserId = serde_json::from_value(serde_json::to_value(&id).unwrap()).unwrap();
        prop_assert_eq!(parsed, id);
    }

    #[test]
    fn user_id_without_bar_has_no_provider(s in "[^|]{1,30}") {
        let id = UserId::new(s.clone()).unwrap();
        prop_assert_eq!(id.provider(), None);
        prop_assert_eq!(id.id(), s.as_str());
    }
}
