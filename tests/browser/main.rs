//! The real-browser suite: every scenario of `scenarios.json` has an expected verdict written from
//! the rules (`shared/reference/browser-rules.md`); Chromium's real verdict is recorded in
//! `recorded.json`; and the browser model (`tower_cors::check`, `Mode::Chromium`) must give the
//! same verdict, run in-process against the same scripted tower service. Scenarios with `"app"`
//! fetch from the project's example apps instead (`apps.rs`: `fastapi_production`,
//! `flask_advanced`, `django_settings`, each app's own router, served on 127.0.0.1 for Chromium
//! and called in-process by the model).
//!
//! - `CORS_BROWSER=1 cargo test --test browser`: also runs the scenarios in headless Chromium
//!   (see `run.sh`), checks real == expected, and rewrites `recorded.json`.
//! - `cargo test --test browser`: checks model == recorded == expected, without a browser.

mod apps;
mod live;
mod model;
mod scenarios;
mod server;

use scenarios::{Observed, Recorded, Table};

fn live_enabled() -> bool {
    std::env::var("CORS_BROWSER").is_ok_and(|v| v == "1")
}

/// Every disagreement between the recording and the expectation, one line per step.
fn recorded_vs_expected(table: &Table, recorded: &Recorded) -> Vec<String> {
    let mut failures = Vec::new();
    for s in &table.scenarios {
        let Some(steps) = recorded.scenarios.get(&s.id) else {
            failures.push(format!("{}: not in recorded.json (re-record)", s.id));
            continue;
        };
        if steps.len() != s.steps.len() {
            failures.push(format!(
                "{}: {} steps recorded, {} in the table (re-record)",
                s.id,
                steps.len(),
                s.steps.len()
            ));
            continue;
        }
        for (i, step) in steps.iter().enumerate() {
            let expected = s.expected(i);
            if step.verdict != expected {
                failures.push(format!(
                    "{} step {i} ({}):\n  expected: {}\n  chromium: {}  {:?}{}",
                    s.id,
                    s.rule,
                    show(&expected),
                    show(&step.verdict),
                    step.chromium,
                    s.note
                        .as_deref()
                        .map(|n| format!("\n  note: {n}"))
                        .unwrap_or_default()
                ));
            }
            // Two independent counts of the preflights: the server's and Chromium's own (CDP).
            let at_server = step
                .verdict
                .requests
                .iter()
                .filter(|l| l.starts_with("OPTIONS ") && l.contains(" acrm="))
                .count();
            if step.chromium.cdp_preflights as usize != at_server {
                failures.push(format!(
                    "{} step {i}: the server received {at_server} preflight(s), CDP reported {}",
                    s.id, step.chromium.cdp_preflights
                ));
            }
        }
    }
    for id in recorded.scenarios.keys() {
        if !table.scenarios.iter().any(|s| &s.id == id) {
            failures.push(format!(
                "{id}: recorded but not in scenarios.json (re-record)"
            ));
        }
    }
    failures
}

fn show(o: &Observed) -> String {
    serde_json::to_string(o).unwrap()
}

fn report(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} disagreement(s)\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_gives_the_expected_verdicts() {
    if !live_enabled() {
        eprintln!("CORS_BROWSER is not 1: Chromium is not run (tests/browser/run.sh runs it)");
        return;
    }
    let table = scenarios::load();
    let recorded = live::run(&table).await;
    live::write(&recorded, scenarios::RECORDED_PATH);
    let steps: usize = recorded.scenarios.values().map(Vec::len).sum();
    eprintln!(
        "{}: {} scenarios, {steps} fetches recorded to tests/browser/recorded.json",
        recorded.chromium,
        recorded.scenarios.len()
    );
    report(
        "Chromium vs expected",
        &recorded_vs_expected(&table, &recorded),
    );
    report(
        "model vs Chromium vs expected",
        &model::compare(&table, &recorded).await,
    );
}

#[tokio::test]
async fn model_gives_the_recorded_and_expected_verdicts() {
    let table = scenarios::load();
    let recorded = scenarios::load_recorded();
    assert!(
        table.scenarios.len() >= 60,
        "the suite keeps at least 60 scenarios"
    );
    report(
        "recorded.json vs expected",
        &recorded_vs_expected(&table, &recorded),
    );
    report(
        "model vs Chromium vs expected",
        &model::compare(&table, &recorded).await,
    );
}
