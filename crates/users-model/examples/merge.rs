//! The OpenAPI description's metadata example, step by step: what a PATCH stores when the merge
//! stops at the first level, and how `metadata_patch` keeps the siblings of a nested change.
//!
//! Run with `cargo run --example merge`. Pure computation: no network, no server.

use serde_json::{Value, json};
use users_model::{
    Metadata, MetadataPatch, Timestamp, User, UserUpdate, Violations, apply_update, metadata_patch,
};

fn object(value: Value) -> Metadata {
    match value {
        Value::Object(map) => map,
        _ => Metadata::new(),
    }
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("<unprintable: {e}>"))
}

fn show_metadata(label: &str, user: &User) {
    let stored = user.user_metadata.clone().unwrap_or_default();
    println!("{label}\n{}\n", indent(&pretty(&stored)));
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sends `patch` as `user_metadata` and prints the body and the result.
fn patch(
    step: &str,
    user: &User,
    patch: MetadataPatch,
    now: Timestamp,
) -> Result<User, Violations> {
    let update = UserUpdate::default().user_metadata(patch);
    println!("{step}: PATCH /api/v2/users/{{id}} with body");
    println!("{}\n", indent(&pretty(&update)));
    let stored = apply_update(user, &update, now)?;
    show_metadata("  the server stores user_metadata =", &stored);
    Ok(stored)
}

fn main() -> Result<(), Violations> {
    let now = Timestamp::parse("2024-05-01T12:00:00.000Z").unwrap_or_default();
    let mut user = User::default();
    user.user_id = Some("auth0|507f1f77bcf86cd799439020".into());
    user.user_metadata = Some(object(json!({"profileCode": 1479})));
    println!("user_metadata is merged at the FIRST level only: a first-level key sent replaces");
    println!("the stored value whole, nested objects are not merged.\n");
    show_metadata("Step 0: the user starts with user_metadata =", &user);

    let work = object(json!({"addresses": {"work_address": "100 Industrial Way"}}));
    let user = patch(
        "Step 1: add a work address",
        &user,
        MetadataPatch::from(work),
        now,
    )?;

    let home = object(json!({"addresses": {"home_address": "742 Evergreen Terrace"}}));
    let naive = patch(
        "Step 2 (naive): send only the new home address",
        &user,
        MetadataPatch::from(home),
        now,
    )?;
    let lost = naive
        .user_metadata
        .as_ref()
        .and_then(|m| m.get("addresses"))
        .and_then(|a| a.get("work_address"))
        .is_none();
    if lost {
        println!("  -> `addresses` was replaced whole: work_address is LOST.\n");
    }

    println!("Step 2 (metadata_patch): describe the metadata you want and let metadata_patch");
    println!("compute the smallest body that produces it through the server's merge.\n");
    let mut desired = user.user_metadata.clone().unwrap_or_default();
    let mut addresses = desired
        .get("addresses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    addresses.insert("home_address".into(), json!("742 Evergreen Terrace"));
    desired.insert("addresses".into(), Value::Object(addresses));
    println!("  desired user_metadata =\n{}\n", indent(&pretty(&desired)));
    match metadata_patch(user.user_metadata.as_ref(), &desired) {
        Some(body) => {
            let kept = patch("  metadata_patch sends", &user, body, now)?;
            let reached = kept.user_metadata.as_ref() == Some(&desired);
            println!("  -> both addresses kept; profileCode untouched (not sent): {reached}");
        }
        None => println!("  nothing to change"),
    }
    Ok(())
}
