//! Model mode: `tower_cors::check` in `Mode::Chromium`, run in-process against the same scripted
//! service that Chromium talked to, must give the recorded verdict and the expected one.

use std::time::Duration;

use tower_cors::check::{BodyKind, Browser, BrowserRequest, Credentials, Mode, Preflight, Verdict};

use std::collections::BTreeMap;
use std::fmt::Display;

use http::{Request, Response};
use tower_service::Service;

use crate::apps::{AppService, APPS};
use crate::scenarios::{ExpectPreflight, Observed, PreflightSeen, Recorded, Scenario, Step, Table};
use crate::server::{Addresses, Body, ScriptedService};

/// The ports the model pretends the page and the server have (no sockets are opened).
const MODEL_PAGE_PORT: u16 = 47301;
const MODEL_API_PORT: u16 = 47302;
/// The example apps' pretend ports: 47310, 47311, ...
const MODEL_APP_PORT: u16 = 47310;

/// Every disagreement between the model and the recording or the expectation.
pub async fn compare(table: &Table, recorded: &Recorded) -> Vec<String> {
    let mut addresses = Addresses::new(MODEL_PAGE_PORT, MODEL_API_PORT);
    for (i, app) in APPS.iter().enumerate() {
        addresses = addresses.with_app(app, MODEL_APP_PORT + i as u16);
    }
    // One service for all scenarios, as in the live run; each scenario has its own path and
    // counters.
    let mut service = ScriptedService::new(addresses.clone(), &table.scenarios);
    // The example apps, in-process, logging into the scripted service's log like the live ones.
    let mut apps: BTreeMap<&str, AppService> = APPS
        .iter()
        .map(|app| {
            let svc = AppService::new(app, &addresses, &table.scenarios, service.clone());
            (*app, svc)
        })
        .collect();
    let mut failures = Vec::new();
    for s in &table.scenarios {
        let mut disagreements = Vec::new();
        // One Browser per scenario: its steps share the preflight cache, like one Chromium
        // profile (Chromium's entries are keyed by URL, and every scenario has its own URL).
        let mut browser = Browser::new(Mode::Chromium);
        for (i, step) in s.steps.iter().enumerate() {
            if step.wait_ms > 0 {
                browser.advance(Duration::from_millis(step.wait_ms));
            }
            let (model, kind) = match &s.app {
                Some(app) => {
                    let app = apps.get_mut(app.as_str()).expect("known app");
                    run_step(&mut browser, app, &service, &addresses, s, step).await
                }
                None => {
                    let log = service.clone();
                    run_step(&mut browser, &mut service, &log, &addresses, s, step).await
                }
            };
            let expected = s.expected(i);
            let chromium = recorded
                .scenarios
                .get(&s.id)
                .and_then(|steps| steps.get(i))
                .map(|r| &r.verdict);
            let expected_kind = match &step.expect.preflight {
                ExpectPreflight::Kind(k) => k.as_str(),
                ExpectPreflight::Sent(_) => "sent",
            };
            let expected_kind = if step.expect.rejected_by_fetch {
                "rejected"
            } else {
                expected_kind
            };
            if Some(&model) != chromium || model != expected || kind != expected_kind {
                disagreements.push(format!(
                    "{} step {i} ({}):\n  expected: {} preflight={expected_kind}\n  chromium: {}\n  model:    {} preflight={kind}",
                    s.id,
                    s.rule,
                    show(&expected),
                    chromium.map(show).unwrap_or_else(|| "(not recorded)".into()),
                    show(&model),
                ));
            }
        }
        failures.extend(disagreements);
    }
    failures
}

fn show(o: &Observed) -> String {
    serde_json::to_string(o).unwrap()
}

/// Runs one fetch through the model; returns the verdict in the compared form and the model's
/// preflight kind (`none`, `cached`, `sent`, or `rejected` when the request could not be built).
async fn run_step<S, RB>(
    browser: &mut Browser,
    service: &mut S,
    log: &ScriptedService,
    addresses: &Addresses,
    s: &Scenario,
    step: &Step,
) -> (Observed, &'static str)
where
    S: Service<Request<Body>, Response = Response<RB>>,
    S::Error: Display,
{
    let rejected = || Observed {
        allowed: false,
        status: None,
        preflight: None,
        readable: Vec::new(),
        error: None,
        requests: Vec::new(),
    };
    let r = &step.request;
    let origin = addresses.origin_of(s);
    let Ok(mut req) = BrowserRequest::new(&origin, &r.method, &addresses.url_of(s)) else {
        return (rejected(), "rejected");
    };
    for (name, value) in &r.headers {
        let forbidden = r.forbidden.iter().any(|f| f.eq_ignore_ascii_case(name));
        match (
            req.clone().header(name, &addresses.fill(s, value)),
            forbidden,
        ) {
            (Ok(next), false) => req = next,
            (Err(_), false) => return (rejected(), "rejected"),
            // fetch() drops a forbidden name silently; the model refuses it, and the request
            // goes on without it, as in the browser.
            (Err(_), true) => {}
            (Ok(_), true) => return (rejected(), "accepted a forbidden header"),
        }
    }
    req = req.credentials(match r.credentials.as_str() {
        "omit" => Credentials::Omit,
        "include" => Credentials::Include,
        _ => Credentials::SameOrigin,
    });
    req = req.body(match r.body.as_str() {
        "bytes" => BodyKind::Bytes,
        "stream" => BodyKind::Stream,
        _ => BodyKind::None,
    });
    for name in &r.read {
        req = req.read_header(name);
    }
    let v: Verdict = browser.fetch(service, &req).await;
    let requests: Vec<String> = log
        .drain(&s.id)
        .iter()
        .map(|l| addresses.unfill(l))
        .collect();
    // The server logs every hop; the comparison keeps the first preflight it received (the first
    // request's, or a redirect hop's).
    let first_sent = std::iter::once(&v.preflight)
        .chain(v.redirects.iter().map(|r| &r.preflight))
        .find(|p| matches!(p, Preflight::Sent { .. }))
        .unwrap_or(&v.preflight);
    let (preflight, kind) = match first_sent {
        Preflight::NotNeeded => (None, "none"),
        Preflight::Cached => (None, "cached"),
        Preflight::Sent { method, headers } => (
            Some(PreflightSeen {
                method: method.clone(),
                headers: headers.clone(),
            }),
            "sent",
        ),
    };
    let mut readable: Vec<String> = r
        .read
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| v.readable_headers.iter().any(|h| h == n))
        .collect();
    readable.sort();
    readable.dedup();
    let observed = Observed {
        allowed: v.allowed,
        status: if v.allowed {
            v.status.map(|s| s.as_u16())
        } else {
            None
        },
        preflight,
        readable,
        error: v.blocked.as_ref().map(|b| b.error.as_str().to_string()),
        requests,
    };
    (observed, kind)
}
