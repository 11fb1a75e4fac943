//! Model micro-benchmarks (issue 6): the time of the model's rules on users with 1 KB, 10 KB
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
use users_model::User;

/// A user of each size, serialized, with its label.
fn documents() -> Vec<(&'static str, Vec<u8>)> {
    sized::SIZES
        .iter()
        .filter_map(|&(label, size)| {
            let user = sized::user(size).ok()?;
            Some((label, serde_json::to_vec(&user).ok()?))
        })
        .collect()
}

/// Bytes of the document, so criterion prints throughput.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, bytes: usize) {
    group.throughput(Throughput::Bytes(bytes as u64));
}

/// The baseline: parse into an untyped `Value` and serialize it back.
fn serde_json_value(c: &mut Criterion) {
    for (label, doc) in documents() {
        let mut group = c.benchmark_group("baseline_serde_json_value");
        configure(&mut group, doc.len());
        group.bench_function(label, |b| {
            b.iter(|| {
                let value: Value = serde_json::from_slice(black_box(&doc)).unwrap_or(Value::Null);
                black_box(serde_json::to_vec(&value).unwrap_or_default())
            });
        });
        group.finish();
    }
}

/// The same round trip through the typed `User`, what the client does on every answer.
fn typed_user(c: &mut Criterion) {
    for (label, doc) in documents() {
        let mut group = c.benchmark_group("baseline_typed_user");
        configure(&mut group, doc.len());
        group.bench_function(label, |b| {
            b.iter(|| {
                let user: User = serde_json::from_slice(black_box(&doc)).unwrap_or_default();
                black_box(serde_json::to_vec(&user).unwrap_or_default())
            });
        });
        group.finish();
    }
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
    targets = serde_json_value, typed_user
}
criterion_main!(model);
