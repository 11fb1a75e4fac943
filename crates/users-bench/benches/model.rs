//! Model micro-benchmarks: the time of the model's rules on users with 1 KB, 10 KB
//! and 1 MB of metadata, next to the baseline they are judged against, a plain serde_json
//! parse + serialize of the same document. Throughput is in bytes of the document so that
//! linearity in size reads directly off criterion's output.
//!
//! Run: `cargo bench -p users-bench --bench model`; CI smoke: `cargo test -p users-bench --benches`
//! (criterion runs each benchmark once in test mode).

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![expect(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use serde_json::Value;
use users_bench::sized;
use users_model::{
    Metadata, MetadataPatch, Patch, Timestamp, User, UserUpdate, apply_update, metadata_patch,
    validate_update,
};

/// One size's inputs: the stored user, its metadata as wanted next, and the update that sends
/// it whole (what a naive profile sync sends), all built from the same document.
struct Case {
    label: &'static str,
    doc: Vec<u8>,
    user: User,
    desired: Metadata,
    update: UserUpdate,
}

fn cases() -> Vec<Case> {
    sized::SIZES
        .iter()
        .filter_map(|&(label, size)| {
            let user = sized::user(size).ok()?;
            let doc = serde_json::to_vec(&user).ok()?;
            let desired = sized::edited(user.user_metadata.as_ref()?);
            let mut update = UserUpdate::default();
            update.name = Patch::Set("Ada King".to_owned());
            update.user_metadata = Some(MetadataPatch::from(desired.clone()));
            Some(Case {
                label,
                doc,
                user,
                desired,
                update,
            })
        })
        .collect()
}

/// A fixed instant: the model never reads a clock.
const NOW: i64 = 1_764_291_600_000;

/// What the server stores for the update (validation included, as `apply_update` runs it).
fn model_apply_update(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply_update");
    for case in cases() {
        // A size the rules reject would measure the error path: say so and leave it out.
        if let Err(violations) = apply_update(&case.user, &case.update, Timestamp::from_millis(NOW))
        {
            eprintln!(
                "apply_update/{}: skipped, the update is rejected: {violations}",
                case.label
            );
            continue;
        }
        configure(&mut group, case.doc.len());
        group.bench_function(case.label, |b| {
            b.iter(|| {
                let now = Timestamp::from_millis(NOW);
                black_box(apply_update(
                    black_box(&case.user),
                    black_box(&case.update),
                    now,
                ))
            });
        });
    }
    group.finish();
}

/// The smallest patch from the stored metadata to the wanted one.
fn model_metadata_patch(c: &mut Criterion) {
    let mut group = c.benchmark_group("metadata_patch");
    for case in cases() {
        configure(&mut group, case.doc.len());
        let current = case.user.user_metadata.as_ref();
        group.bench_function(case.label, |b| {
            b.iter(|| black_box(metadata_patch(black_box(current), black_box(&case.desired))));
        });
    }
    group.finish();
}

/// Validation of the update before it is sent (no connection context: the client's case).
fn model_validate_update(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate_update");
    for case in cases() {
        if let Err(violations) = validate_update(&case.update, None) {
            eprintln!(
                "validate_update/{}: skipped, the update is rejected: {violations}",
                case.label
            );
            continue;
        }
        configure(&mut group, case.doc.len());
        group.bench_function(case.label, |b| {
            b.iter(|| black_box(validate_update(black_box(&case.update), None)));
        });
    }
    group.finish();
}

/// Bytes of the document, so criterion prints throughput.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, bytes: usize) {
    group.throughput(Throughput::Bytes(bytes as u64));
}

/// The baseline: parse into an untyped `Value` and serialize it back.
fn serde_json_value(c: &mut Criterion) {
    let mut group = c.benchmark_group("baseline_serde_json_value");
    for case in cases() {
        configure(&mut group, case.doc.len());
        group.bench_function(case.label, |b| {
            b.iter(|| {
                let value: Value =
                    serde_json::from_slice(black_box(&case.doc)).unwrap_or(Value::Null);
                black_box(serde_json::to_vec(&value).unwrap_or_default())
            });
        });
    }
    group.finish();
}

/// The same round trip through the typed `User`, what the client does on every answer.
fn typed_user(c: &mut Criterion) {
    let mut group = c.benchmark_group("baseline_typed_user");
    for case in cases() {
        configure(&mut group, case.doc.len());
        group.bench_function(case.label, |b| {
            b.iter(|| {
                let user: User = serde_json::from_slice(black_box(&case.doc)).unwrap_or_default();
                black_box(serde_json::to_vec(&user).unwrap_or_default())
            });
        });
    }
    group.finish();
}

/// Short runs by default (the 1 MB documents take milliseconds per iteration); the command
/// line (`-- --measurement-time 10`) overrides this.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = model;
    config = config();
    targets = serde_json_value, typed_user, model_apply_update, model_metadata_patch,
        model_validate_update
}
criterion_main!(model);
