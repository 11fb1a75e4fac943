//! Field formats and the server's schema-error wording (users-api.md §1.1, §1.5, §3.1).
//!
//! Each check is a plain predicate; the `reason_*` helpers build the z-schema style reasons the
//! server puts between quotes in `Payload validation error: '<reason>' on property ...`.

/// Maximum length of an email's local part (users-api.md §1.1, profile-structure page).
pub(crate) const EMAIL_LOCAL_MAX: usize = 64;
/// Maximum length of a whole email address.
pub(crate) const EMAIL_MAX: usize = 254;
/// Absolute maximum username length (the connection may configure less).
pub(crate) const USERNAME_MAX: usize = 128;
/// Password limit in bytes (bcrypt's input limit; users-api.md §1.1).
pub(crate) const PASSWORD_MAX_BYTES: usize = 72;
/// The E.164 pattern as the OpenAPI document spells it (used in messages).
pub(crate) const PHONE_PATTERN: &str = r"^\+[0-9]{1,15}$";
/// The link body's `connection_id` pattern.
pub(crate) const CONNECTION_ID_PATTERN: &str = "^con_[A-Za-z0-9]{16}$";
/// The create body's `user_id` pattern.
pub(crate) const NO_WHITESPACE_PATTERN: &str = r"^\S*$";

/// Length as JSON Schema counts it: Unicode code points.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// `Payload validation error: '<reason>' on property <path> (<description>).`
pub(crate) fn payload_error(reason: &str, path: &str, description: &str) -> String {
    format!("Payload validation error: '{reason}' on property {path} ({description}).")
}

pub(crate) fn reason_too_short(len: usize, min: usize) -> String {
    format!("String is too short ({len} chars), minimum {min}")
}

pub(crate) fn reason_too_long(len: usize, max: usize) -> String {
    format!("String is too long ({len} chars), maximum {max}")
}

pub(crate) fn reason_format(format: &str, value: &str) -> String {
    format!("Object didn't pass validation for format {format}: {value}")
}

pub(crate) fn reason_pattern(pattern: &str, value: &str) -> String {
    format!("String does not match pattern {pattern}: {value}")
}

/// `format: email`: one `@`, a local part of 1-64 and a whole address of at most 254
/// characters, no whitespace or control characters, no quoting, a dotted domain whose labels
/// are 1-63 characters of letters, digits or `-` (not at either end), and a non-numeric TLD.
/// Non-ASCII letters are allowed (internationalised addresses).
pub(crate) fn is_email(s: &str) -> bool {
    if char_len(s) > EMAIL_MAX {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    is_email_local(local) && is_email_domain(domain)
}

fn is_email_local(local: &str) -> bool {
    const SPECIAL: &str = "()<>[]:;@\\,\"";
    let len = char_len(local);
    (1..=EMAIL_LOCAL_MAX).contains(&len)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !SPECIAL.contains(c))
}

fn is_email_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld_ok = labels
        .last()
        .is_some_and(|tld| char_len(tld) >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    labels.len() >= 2
        && tld_ok
        && labels.iter().all(|label| {
            let len = char_len(label);
            (1..=63).contains(&len)
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// `^\+[0-9]{1,15}$`.
pub(crate) fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Username characters: ASCII letters and digits plus ``@ ^ $ . ! ` - # + ' ~ _``.
pub(crate) fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "@^$.!`-#+'~_".contains(c)
}

/// `format: strict-uri`, read as an absolute URI (**unconfirmed** semantics): an RFC 3986 scheme,
/// `:`, a non-empty remainder, and no whitespace, control characters or `<>"{}|\^` anywhere.
pub(crate) fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let after_authority = rest.strip_prefix("//").unwrap_or(rest);
    scheme_ok
        && !after_authority.is_empty()
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>\"{}|\\^`".contains(c))
}

/// `^con_[A-Za-z0-9]{16}$`.
pub(crate) fn is_connection_id(s: &str) -> bool {
    s.strip_prefix("con_")
        .is_some_and(|rest| rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Three non-empty base64url segments separated by `.` (a signed compact JWS; RS256 requires a
/// signature, so an empty third segment is rejected too).
pub(crate) fn looks_like_jwt(s: &str) -> bool {
    let segments: Vec<&str> = s.split('.').collect();
    segments.len() == 3
        && segments.iter().all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_ordinary_addresses() {
        for ok in [
            "a@example.com",
            "chuck407@example.com",
            "first.last+tag@sub.example.co.uk",
            "rubytest-rubytest-username@auth0.com",
            "Upper@Example.COM",
            "josé@exämple.de",
        ] {
            assert!(is_email(ok), "{ok}");
        }
    }

    #[test]
    fn email_rejects_malformed_addresses() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", "b".repeat(250));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@example.com",
            "a b@example.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
            "a@example.123",
            "a\"b@example.com",
            long_local.as_str(),
            long_total.as_str(),
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(is_email(&format!("{}@example.com", "a".repeat(64))));
    }

    #[test]
    fn e164_follows_the_pattern() {
        assert!(is_e164("+1"));
        assert!(is_e164("+199999999999999"));
        assert!(!is_e164("+1999999999999999"));
        assert!(!is_e164("+"));
        assert!(!is_e164("1234"));
        assert!(!is_e164("+12 34"));
        assert!(!is_e164("+١٢٣"));
    }

    #[test]
    fn uri_must_be_absolute() {
        assert!(is_absolute_uri("https://example-picture-url.jpg"));
        assert!(is_absolute_uri(
            "https://s.gravatar.com/avatar/x?s=480&d=https%3A%2F%2Fcdn"
        ));
        assert!(is_absolute_uri("urn:isbn:0451450523"));
        for bad in [
            "",
            "picture.png",
            "/relative/path",
            "http://",
            "1http://x",
            "http://a b",
            ":x",
        ] {
            assert!(!is_absolute_uri(bad), "{bad}");
        }
    }

    #[test]
    fn connection_id_and_jwt_shapes() {
        assert!(is_connection_id("con_ftSSLHb0O7rcUGmF"));
        assert!(!is_connection_id("con_ftSSLHb0O7rcUGm"));
        assert!(!is_connection_id("con_ftSSLHb0O7rcUGm_"));
        assert!(!is_connection_id("cxn_ftSSLHb0O7rcUGmF"));
        assert!(looks_like_jwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"));
        assert!(!looks_like_jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."));
        assert!(!looks_like_jwt("not a token"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b+c.d"));
    }

    #[test]
    fn reasons_use_the_server_wording() {
        assert_eq!(
            payload_error(
                &reason_too_short(0, 1),
                "connection",
                "Name of the connection."
            ),
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property \
             connection (Name of the connection.)."
        );
        assert_eq!(
            reason_too_long(301, 300),
            "String is too long (301 chars), maximum 300"
        );
        assert_eq!(
            reason_format("email", "x"),
            "Object didn't pass validation for format email: x"
        );
    }
}
