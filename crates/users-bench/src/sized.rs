//! Users with metadata of a given serialized size (1 KB, 10 KB, 1 MB for the model benches),
//! generated deterministically so every run measures the same documents.

use serde_json::{Value, json};
use users_model::{Metadata, User};

use crate::fixture;

/// The sizes the model benches use, with their labels.
pub const SIZES: &[(&str, usize)] = &[("1KB", 1_000), ("10KB", 10_000), ("1MB", 1_000_000)];

/// Metadata whose JSON serialization is about `target_bytes` long (within one entry, ~150
/// bytes): entries of mixed shape (strings, numbers, booleans, arrays, a nested object), the
/// kind of profile and integration data tenants keep there. At least one entry.
pub fn metadata(target_bytes: usize) -> Metadata {
    let mut map = Metadata::new();
    let mut size = 2; // the braces
    let mut seed: u32 = 0x9e37_79b9;
    let mut index = 0usize;
    while size < target_bytes || map.is_empty() {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let key = format!("field_{index:05}");
        let value = entry(index, seed);
        // "key": value plus the separating comma.
        size += key.len() + 3 + value.to_string().len() + 1;
        map.insert(key, value);
        index += 1;
    }
    map
}

fn entry(index: usize, seed: u32) -> Value {
    match index % 4 {
        0 => json!(format!(
            "value-{seed:08x}-{}",
            "x".repeat((seed % 24) as usize)
        )),
        1 => json!({
            "source": "crm",
            "id": format!("{seed:010}"),
            "synced": seed.is_multiple_of(2),
            "score": f64::from(seed % 10_000) / 100.0,
        }),
        2 => json!([seed % 97, seed % 89, format!("tag-{}", seed % 13), null]),
        _ => {
            json!({"nested": {"level": index, "flags": [true, false], "note": format!("n{seed:x}")}})
        }
    }
}

/// `metadata` as a caller would want it next: every tenth value changed, the first key
/// removed and one key added. Deterministic, so [`users_model::metadata_patch`] has real work.
pub fn edited(metadata: &Metadata) -> Metadata {
    let mut out: Metadata = metadata
        .iter()
        .skip(1)
        .enumerate()
        .map(|(index, (key, value))| {
            let value = if index % 10 == 0 {
                json!(format!("edited-{index}"))
            } else {
                value.clone()
            };
            (key.clone(), value)
        })
        .collect();
    out.insert(
        "added_by_edit".to_owned(),
        json!({"at": "2026-11-28T01:00:00.000Z"}),
    );
    out
}

/// The fixture user with `user_metadata` of about `target_bytes`.
///
/// # Errors
/// As [`fixture::user`].
pub fn user(target_bytes: usize) -> Result<User, serde_json::Error> {
    let mut user = fixture::user()?;
    user.user_metadata = Some(metadata(target_bytes));
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_lands_within_an_entry_of_the_size_asked() {
        for &(_, size) in SIZES {
            let bytes = serde_json::to_vec(&metadata(size))
                .expect("serializes")
                .len();
            assert!(bytes >= size && bytes <= size + 200, "{size}: {bytes}");
        }
        assert_eq!(metadata(0).len(), 1);
    }

    #[test]
    fn an_edit_changes_removes_and_adds_keys() {
        let before = metadata(10_000);
        let after = edited(&before);
        let first = before.keys().next().expect("a key");
        assert!(!after.contains_key(first));
        assert!(after.contains_key("added_by_edit"));
        let changed = before
            .iter()
            .filter(|(k, v)| after.get(*k).is_some_and(|a| a != *v))
            .count();
        assert!(
            changed >= before.len() / 10 - 1,
            "{changed} of {}",
            before.len()
        );
        assert_eq!(after.len(), before.len());
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(metadata(10_000), metadata(10_000));
        let user = user(1_000).expect("fixture user");
        assert!(user.user_metadata.as_ref().is_some_and(|m| m.len() > 3));
    }
}
