//! Deterministic identifiers: a seeded counter run through a mixing function.
//!
//! The same seed and the same sequence of requests always produce the same ids, so in-process
//! tests can assert on them; the counter is part of the persisted state so ids never repeat
//! across restarts.

use serde::{Deserialize, Serialize};

/// Generates ids from a seed and a counter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct IdGenerator {
    seed: u64,
    counter: u64,
}

pub(crate) const ALPHANUMERIC: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// SplitMix64: a small, well-distributed bijective mixer.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> Self {
        Self { seed, counter: 0 }
    }

    fn next_u64(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        mix(self.seed ^ mix(self.counter))
    }

    /// A 24-hex-digit user id whose first 8 digits are `created_secs` (as Auth0 generates them).
    pub(crate) fn user_id(&mut self, created_secs: i64) -> String {
        let secs = u32::try_from(created_secs.clamp(0, i64::from(u32::MAX))).unwrap_or(0);
        format!("{secs:08x}{:016x}", self.next_u64())
    }

    /// A random-looking token id (`jti`).
    pub(crate) fn token_id(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }

    /// `len` characters from `alphabet` (e.g. the 16 alphanumerics of an authentication
    /// method id, the 24 upper-case letters and digits of a recovery code).
    pub(crate) fn chars_from(&mut self, alphabet: &[u8], len: usize) -> String {
        let modulus = alphabet.len().max(1) as u64;
        (0..len)
            .map(|_| {
                let index = usize::try_from(self.next_u64() % modulus).unwrap_or(0);
                char::from(alphabet.get(index).copied().unwrap_or(b'A'))
            })
            .collect()
    }
}

/// `con_` + 16 alphanumerics, derived from the connection name so default connections keep
/// their ids across restarts and seeds.
pub(crate) fn connection_id(name: &str) -> String {
    // FNV-1a over the name, then mixed per character position.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut id = String::from("con_");
    let mut state = hash;
    for _ in 0..16 {
        state = mix(state);
        let index = usize::try_from(state % ALPHANUMERIC.len() as u64).unwrap_or(0);
        id.push(char::from(ALPHANUMERIC.get(index).copied().unwrap_or(b'A')));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_start_with_the_creation_time() {
        let mut ids = IdGenerator::new(7);
        let id = ids.user_id(0x63d1_7c4a);
        assert_eq!(id.len(), 24);
        assert!(id.starts_with("63d17c4a"));
        assert!(
            id.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(id, ids.user_id(0x63d1_7c4a));
    }

    #[test]
    fn same_seed_same_ids() {
        let mut a = IdGenerator::new(1);
        let mut b = IdGenerator::new(1);
        let mut c = IdGenerator::new(2);
        let first = a.user_id(5);
        assert_eq!(first, b.user_id(5));
        assert_ne!(first, c.user_id(5));
    }

    #[test]
    fn connection_ids_have_the_documented_shape() {
        let id = connection_id("Username-Password-Authentication");
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("con_"));
        assert!(id[4..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(id, connection_id("Username-Password-Authentication"));
        assert_ne!(id, connection_id("google-oauth2"));
    }
}
