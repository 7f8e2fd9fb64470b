//! The summary: one table of tower-cors beside tower-http, scenario by scenario.
//!
//! - Medians come from criterion's `estimates.json` files written by `cargo bench --bench cors`.
//! - Allocations per request are counted here, with a counting global allocator, over calls made
//!   exactly as the benchmark makes them.
//! - Instruction counts (optional) come from a run of this same program under
//!   `valgrind --tool=callgrind` in `callgrind` mode, which measures each scenario in a function
//!   callgrind is told to collect and dump after: a count that does not depend on the machine's
//!   load, unlike the medians.
//!
//! `bash benches/run.sh` runs the three steps in order. Run alone, this prints what it finds.

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{scenarios, Harness, Lib, Scenario};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{allocated, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Calls per measured batch (allocation counts and instruction counts).
const CALLS: usize = 200;

/// Runs `CALLS` requests through `harness` inside `measure`, after a warm-up, with requests
/// prepared and responses dropped outside it.
fn batch(harness: &Harness, template: &http::Request<()>, measure: impl FnOnce(&mut dyn FnMut())) {
    for _ in 0..16 {
        let request = harness.prepare(template);
        drop(harness.call(request));
    }
    let mut requests: Vec<_> = (0..CALLS).map(|_| harness.prepare(template)).collect();
    let mut responses = Vec::with_capacity(CALLS);
    measure(&mut || {
        for request in requests.drain(..) {
            responses.push(harness.call(request));
        }
    });
    black_box(&responses);
}

/// Allocations per request, counted over a batch.
fn allocations(scenario: &Scenario, lib: Lib) -> f64 {
    let harness = scenario.harness(lib);
    let mut counted = 0;
    batch(&harness, &scenario.request, |run| {
        let before = allocated();
        run();
        counted = allocated() - before;
    });
    counted as f64 / CALLS as f64
}

/// Rounds of the interleaved timing, and requests per round and library.
const ROUNDS: usize = 301;
const BATCH: usize = 64;

/// Medians in nanoseconds per request for tower-cors and tower-http, timed in alternation: each
/// round times one batch of each (in alternating order), so that whatever else the machine does
/// falls on both alike. A check on criterion's medians, which time the two a few seconds apart.
fn interleaved(scenario: &Scenario) -> (f64, f64) {
    let harnesses = [
        scenario.harness(Lib::TowerCors),
        scenario.harness(Lib::TowerHttp),
    ];
    let mut times = [Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS)];
    for round in 0..ROUNDS {
        for k in [round % 2, 1 - round % 2] {
            let harness = &harnesses[k];
            let requests: Vec<_> = (0..BATCH)
                .map(|_| harness.prepare(&scenario.request))
                .collect();
            let mut responses = Vec::with_capacity(BATCH);
            let start = Instant::now();
            for request in requests {
                responses.push(harness.call(request));
            }
            let elapsed = start.elapsed();
            black_box(&responses);
            times[k].push(elapsed.as_nanos() as f64 / BATCH as f64);
        }
    }
    let [mut c, mut h] = times;
    (median_of(&mut c), median_of(&mut h))
}

fn median_of(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Callgrind collects inside this function only (`--toggle-collect`) and writes one profile
/// each time it returns (`--dump-after`).
#[inline(never)]
fn callgrind_region(run: &mut dyn FnMut()) {
    run();
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// Every measured (scenario, library) pair, in order.
fn pairs(all: &[Scenario]) -> Vec<(usize, Lib)> {
    let mut v = Vec::new();
    for (i, s) in all.iter().enumerate() {
        v.push((i, Lib::TowerCors));
        if s.compares() {
            v.push((i, Lib::TowerHttp));
        }
    }
    v
}

/// Callgrind mode: one region per pair, in `pairs` order.
fn run_callgrind(all: &[Scenario]) {
    for (i, lib) in pairs(all) {
        let harness = all[i].harness(lib);
        batch(&harness, &all[i].request, |run| callgrind_region(run));
    }
}

/// Instructions per request from the callgrind dumps `DIR/callgrind.out.N` (N from 1, one per
/// pair), if there are as many dumps as pairs.
fn instructions(dir: &Path, n: usize) -> Option<Vec<f64>> {
    let mut out = Vec::new();
    for k in 1..=n {
        let text = std::fs::read_to_string(dir.join(format!("callgrind.out.{k}"))).ok()?;
        let total = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })?
            .split_whitespace()
            .next()?
            .parse::<f64>()
            .ok()?;
        out.push(total / CALLS as f64);
    }
    std::fs::metadata(dir.join(format!("callgrind.out.{}", n + 1)))
        .is_err()
        .then_some(out)
}

/// Criterion medians in nanoseconds, by (group, function).
fn medians() -> HashMap<(String, String), f64> {
    let mut found = HashMap::new();
    let root = std::env::var_os("CRITERION_HOME")
        .map_or_else(|| target_dir().join("criterion"), PathBuf::from);
    let Ok(groups) = std::fs::read_dir(&root) else {
        return found;
    };
    for group in groups.flatten() {
        let Ok(functions) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for function in functions.flatten() {
            let new = function.path().join("new");
            let read = |name: &str| -> Option<serde_json::Value> {
                serde_json::from_str(&std::fs::read_to_string(new.join(name)).ok()?).ok()
            };
            let (Some(id), Some(estimates)) = (read("benchmark.json"), read("estimates.json"))
            else {
                continue;
            };
            let (Some(g), Some(f), Some(median)) = (
                id["group_id"].as_str(),
                id["function_id"].as_str(),
                estimates["median"]["point_estimate"].as_f64(),
            ) else {
                continue;
            };
            found.insert((g.to_owned(), f.to_owned()), median);
        }
    }
    found
}

fn time(ns: Option<f64>) -> String {
    match ns {
        None => "-".into(),
        Some(ns) if ns >= 10_000.0 => format!("{:.1} µs", ns / 1000.0),
        Some(ns) => format!("{ns:.1} ns"),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
}

fn max(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}"))
}

fn fmt_count(n: Option<f64>) -> String {
    match n {
        None => "-".into(),
        Some(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Some(n) => format!("{n:.2}"),
    }
}

fn summary(all: &[Scenario]) -> String {
    let medians = medians();
    let pairs = pairs(all);
    let callgrind_dir = target_dir().join("callgrind");
    let ir: HashMap<(usize, Lib), f64> = instructions(&callgrind_dir, pairs.len())
        .map(|v| pairs.iter().copied().zip(v).collect())
        .unwrap_or_default();
    let median = |i: usize, lib: Lib| {
        let s: &Scenario = &all[i];
        let id = if s.compares() { lib.id() } else { "inner" };
        medians.get(&(s.name.clone(), id.to_owned())).copied()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| scenario | tower-cors median | tower-http median | ratio | interleaved ratio | tower-cors instr. | tower-http instr. | instr. ratio | allocs tower-cors | allocs tower-http |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    let mut worst_interleaved: Option<f64> = None;
    let mut worst: Option<f64> = None;
    let mut worst_ir: Option<f64> = None;
    let by_name: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    for (i, s) in all.iter().enumerate() {
        let (c, h) = (median(i, Lib::TowerCors), median(i, Lib::TowerHttp));
        let (ci, hi) = (
            ir.get(&(i, Lib::TowerCors)).copied(),
            ir.get(&(i, Lib::TowerHttp)).copied(),
        );
        let ca = Some(allocations(s, Lib::TowerCors));
        let ha = s.compares().then(|| allocations(s, Lib::TowerHttp));
        let (r, ri) = (ratio(c, h), ratio(ci, hi));
        let rt = s.compares().then(|| {
            let (c, h) = interleaved(s);
            c / h
        });
        worst_interleaved = max(worst_interleaved, rt);
        if s.compares() {
            worst = max(worst, r);
            worst_ir = max(worst_ir, ri);
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.name,
            time(c),
            time(h),
            fmt_ratio(r),
            fmt_ratio(rt),
            fmt_count(ci.map(f64::round)),
            fmt_count(hi.map(f64::round)),
            fmt_ratio(ri),
            fmt_count(ca),
            fmt_count(ha),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Targets (tower-cors against itself; time medians, then instruction counts):"
    );
    for (what, big, small, limit) in [
        (
            "10,000 exact origins vs 1",
            "origins-10000 last",
            "origins-1 last",
            1.5,
        ),
        (
            "10,000 exact origins vs 1, absent",
            "origins-10000 absent",
            "origins-1 absent",
            1.5,
        ),
        ("1,000 wildcards vs 1", "wildcards-1000", "wildcards-1", 3.0),
        ("1,000 regexes vs 1", "regexes-1000", "regexes-1", 3.0),
        (
            "adversarial ACRH vs preflight",
            "adversarial ACRH 16 KiB",
            "preflight allowed",
            10.0,
        ),
    ] {
        let (Some(&b), Some(&s)) = (by_name.get(big), by_name.get(small)) else {
            continue;
        };
        let t = ratio(median(b, Lib::TowerCors), median(s, Lib::TowerCors));
        let n = ratio(
            ir.get(&(b, Lib::TowerCors)).copied(),
            ir.get(&(s, Lib::TowerCors)).copied(),
        );
        let holds = |r: Option<f64>| match r {
            Some(r) if r <= limit => "holds",
            Some(_) => "FAILS",
            None => "n/a",
        };
        let _ = writeln!(
            out,
            "- {what}: {} x time ({}), {} x instructions ({}); limit {limit} x",
            fmt_ratio(t),
            holds(t),
            fmt_ratio(n),
            holds(n)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "worst instruction ratio vs tower-http: {}",
        fmt_ratio(worst_ir)
    );
    let _ = writeln!(
        out,
        "worst interleaved-timing ratio vs tower-http: {}",
        fmt_ratio(worst_interleaved)
    );
    let _ = write!(out, "worst ratio vs tower-http: {}", fmt_ratio(worst));
    out
}

fn main() {
    let all = scenarios();
    if std::env::args().any(|a| a == "callgrind") {
        run_callgrind(&all);
        return;
    }
    println!("{}", summary(&all));
}
