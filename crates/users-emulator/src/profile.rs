//! Server-side defaults of a new profile and password hashing.

use md5::{Digest, Md5};

/// Auth0's default picture: Gravatar of the lower-cased email, falling back to the CDN avatar
/// named after the first two letters of `initials_from` (the user's `name`: recorded
/// `antonio_ankunding` gives `an.png`, `dane.hermann` gives `da.png`).
pub(crate) fn gravatar(email: &str, initials_from: &str) -> String {
    let digest = Md5::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let initials: String = initials_from
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(2)
        .collect::<String>()
        .to_lowercase();
    let initials = if initials.is_empty() {
        "na".to_owned()
    } else {
        initials
    };
    format!(
        "https://s.gravatar.com/avatar/{hex}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F{initials}.png"
    )
}

/// A salted SHA-256 of a password (hex). The emulator never stores or returns the password.
pub(crate) fn hash_password(salt: &str, password: &str) -> String {
    let mut input = Vec::with_capacity(salt.len() + password.len() + 1);
    input.extend_from_slice(salt.as_bytes());
    input.push(0);
    input.extend_from_slice(password.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares a password with a stored hash.
pub(crate) fn password_matches(salt: &str, password: &str, stored: &str) -> bool {
    let computed = hash_password(salt, password);
    // Constant-time in spirit: compare every byte.
    computed.len() == stored.len()
        && computed
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gravatar_matches_the_recorded_default() {
        // go-auth0__TestUserManager_Create__00: chuck@example.com.
        assert_eq!(
            gravatar("chuck@example.com", "chuck"),
            "https://s.gravatar.com/avatar/0b79e7da7bc7877560620cf8f2cc93ae?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fch.png"
        );
    }

    #[test]
    fn passwords_hash_with_salt() {
        let stored = hash_password("auth0|1", "pw");
        assert!(password_matches("auth0|1", "pw", &stored));
        assert!(!password_matches("auth0|1", "pW", &stored));
        assert!(!password_matches("auth0|2", "pw", &stored));
        assert!(!stored.contains("pw"));
    }
}
