//! tower-cors beside tower-http 0.7's `CorsLayer`, scenario by scenario, in the same run.
//!
//! Each scenario is one criterion group with two functions, `tower-cors` and `tower-http`, run
//! back to back. The request is cloned from a pre-built one by `iter_batched`'s setup, which is
//! not timed; the inner service hands out pre-built responses and keeps the requests it gets
//! (see `common`), so what is timed is `poll_ready` + `call` + one poll of the future: the
//! layer's work, plus a near-zero baseline shown as the "inner service alone" row.
//!
//! `bash benches/run.sh` runs this and prints the summary table.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use common::{scenarios, Lib};

fn bench(c: &mut Criterion) {
    for scenario in scenarios() {
        let mut group = c.benchmark_group(&scenario.name);
        group
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        let libs: &[Lib] = if scenario.compares() {
            &Lib::BOTH
        } else {
            &[Lib::TowerCors]
        };
        for &lib in libs {
            let harness = scenario.harness(lib);
            let id = if scenario.compares() {
                lib.id()
            } else {
                "inner"
            };
            group.bench_function(id, |b| {
                b.iter_batched(
                    || harness.prepare(&scenario.request),
                    |request| harness.call(request),
                    // Fixed batches keep the pre-built requests and responses in cache.
                    BatchSize::NumIterations(256),
                )
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
