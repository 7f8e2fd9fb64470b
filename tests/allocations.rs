//! Heap allocations per request, counted with a counting global allocator over the benchmark
//! scenarios (`benches/common`), called exactly as the benchmarks call them. Allocation counts
//! are deterministic, so they are asserted here; timings never are.
//!
//! The inner service hands out pre-built responses, so every allocation counted is the layer's.

#[path = "../benches/common/mod.rs"]
mod common;

use std::sync::OnceLock;

use common::{scenarios, Lib, Scenario};

#[path = "../benches/common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{allocated, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

const CALLS: u64 = 50;

/// Allocations made by `CALLS` requests through tower-cors in `scenario`, after a warm-up
/// (the first clone of a header value may allocate once, for good).
fn allocations(scenario: &Scenario) -> u64 {
    let harness = scenario.harness(Lib::TowerCors);
    for _ in 0..4 {
        let request = harness.prepare(&scenario.request);
        drop(harness.call(request));
    }
    let requests: Vec<_> = (0..CALLS)
        .map(|_| harness.prepare(&scenario.request))
        .collect();
    let mut responses = Vec::with_capacity(requests.len());
    let before = allocated();
    for request in requests {
        responses.push(harness.call(request));
    }
    allocated() - before
}

/// The scenarios, built once for all the tests (10,000 origins and 1,000 regexes take a while
/// in a debug build).
fn scenario(name: &str) -> &'static Scenario {
    static ALL: OnceLock<Vec<Scenario>> = OnceLock::new();
    ALL.get_or_init(scenarios)
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name:?}"))
}

/// The allocations of building the response a preflight returns: a `HeaderMap` holding its
/// headers takes two (its index table and its entries), and nothing else is needed.
const PREFLIGHT_RESPONSE: u64 = 2;

#[test]
fn the_harness_itself_allocates_nothing() {
    assert_eq!(allocations(scenario("inner service alone")), 0);
}

#[test]
fn no_allocation_on_no_origin_simple_allowed_and_simple_disallowed_requests() {
    for name in [
        "no origin",
        "simple allowed (3)",
        "simple disallowed (3)",
        "any origin",
    ] {
        assert_eq!(allocations(scenario(name)), 0, "{name}");
    }
}

#[test]
fn no_allocation_whatever_the_size_of_the_allowlist() {
    for name in [
        "origins-10000 last",
        "origins-10000 absent",
        "wildcards-1000",
        "regexes-1000",
    ] {
        assert_eq!(allocations(scenario(name)), 0, "{name}");
    }
}

#[test]
fn a_preflight_allocates_only_the_response_it_returns() {
    for name in ["preflight allowed", "preflight rejected"] {
        assert_eq!(
            allocations(scenario(name)),
            CALLS * PREFLIGHT_RESPONSE,
            "{name}"
        );
    }
}

#[test]
fn the_adversarial_request_headers_allocate_nothing_extra() {
    assert_eq!(
        allocations(scenario("adversarial ACRH 16 KiB")),
        CALLS * PREFLIGHT_RESPONSE
    );
}
