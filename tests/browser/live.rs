//! Live mode: the scripted server and the page on 127.0.0.1, real Chromium driven by
//! `driver.mjs`, and the real verdicts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::json;

use crate::apps::{serve_app, AppService, APPS};
use crate::scenarios::{ChromiumDetail, Observed, PreflightSeen, Recorded, RecordedStep, Table};
use crate::server::{bind, serve_page, serve_scripted, Addresses, ScriptedService};

const BROWSER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");

#[derive(Debug, Deserialize)]
struct DriverOut {
    product: String,
    user_agent: String,
    results: Vec<DriverScenario>,
}

#[derive(Debug, Deserialize)]
struct DriverScenario {
    id: String,
    steps: Vec<DriverStep>,
}

#[derive(Debug, Deserialize)]
struct DriverStep {
    ok: bool,
    status: Option<u16>,
    readable: BTreeMap<String, bool>,
    fetch_error: Option<String>,
    cors_error: Option<String>,
    failed_parameter: Option<String>,
    error_text: Option<String>,
    cdp_preflights: u32,
    server: Vec<String>,
}

fn chromium_path() -> String {
    std::env::var("CORS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Runs every scenario in Chromium and returns the recording (ports replaced by placeholders).
pub async fn run(table: &Table) -> Recorded {
    let node_modules = Path::new(BROWSER_DIR).join("node_modules/playwright-core");
    assert!(
        node_modules.exists(),
        "{} is missing: run `npm ci` in tests/browser (tests/browser/run.sh does)",
        node_modules.display()
    );
    let (api_listener, api_addr) = bind().await;
    let (page_listener, page_addr) = bind().await;
    let mut addresses = Addresses::new(page_addr.port(), api_addr.port());
    let mut app_listeners = Vec::new();
    for app in APPS {
        let (listener, addr) = bind().await;
        addresses = addresses.with_app(app, addr.port());
        app_listeners.push((*app, listener));
    }
    let service = ScriptedService::new(addresses.clone(), &table.scenarios);
    serve_scripted(api_listener, service.clone());
    for (app, listener) in app_listeners {
        let app = AppService::new(app, &addresses, &table.scenarios, service.clone());
        serve_app(listener, app);
    }
    serve_page(page_listener);

    let scenarios: Vec<_> = table
        .scenarios
        .iter()
        .map(|s| {
            let steps: Vec<_> = s
                .steps
                .iter()
                .map(|step| {
                    let r = &step.request;
                    let headers: Vec<_> = r
                        .headers
                        .iter()
                        .map(|(n, v)| (n.clone(), addresses.fill(s, v)))
                        .collect();
                    json!({
                        "wait_ms": step.wait_ms,
                        "url": addresses.url_of(s),
                        "method": r.method,
                        "headers": headers,
                        "credentials": r.credentials,
                        "body": r.body,
                        "read": r.read,
                    })
                })
                .collect();
            json!({ "id": s.id, "origin": s.origin, "steps": steps })
        })
        .collect();
    let plan = json!({
        "chromium": chromium_path(),
        "page": format!("{}/", addresses.page_origin),
        "page_origin": addresses.page_origin,
        "page_localhost": format!("{}/", addresses.localhost_origin),
        "api": addresses.api,
        "api2": addresses.api2,
        "scenarios": scenarios,
    });

    let dir = std::env::temp_dir().join(format!("tower-cors-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan_path = dir.join("plan.json");
    let out_path = dir.join("out.json");
    std::fs::write(&plan_path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();

    let out = run_driver(plan_path, out_path.clone()).await;
    let text = std::fs::read_to_string(&out_path).expect("driver output");
    let _ = std::fs::remove_dir_all(&dir);
    let driver: DriverOut = serde_json::from_str(&text).expect("parse driver output");
    assert!(out, "driver failed");
    drop(service);

    let mut recorded = BTreeMap::new();
    assert_eq!(
        driver.results.len(),
        table.scenarios.len(),
        "driver returned a result per scenario"
    );
    for (s, r) in table.scenarios.iter().zip(driver.results) {
        assert_eq!(s.id, r.id);
        assert_eq!(s.steps.len(), r.steps.len(), "{}: steps", s.id);
        let steps = r
            .steps
            .into_iter()
            .map(|d| to_recorded(&addresses, d))
            .collect();
        recorded.insert(s.id.clone(), steps);
    }
    Recorded {
        chromium: driver.product,
        user_agent: driver.user_agent,
        scenarios: recorded,
    }
}

async fn run_driver(plan: PathBuf, out: PathBuf) -> bool {
    tokio::task::spawn_blocking(move || {
        let status = Command::new("node")
            .arg("driver.mjs")
            .arg(&plan)
            .arg(&out)
            .current_dir(BROWSER_DIR)
            .status()
            .expect("start node (is Node.js installed?)");
        assert!(
            status.success(),
            "driver.mjs failed ({status}); see its output above"
        );
        true
    })
    .await
    .expect("driver task")
}

fn to_recorded(a: &Addresses, d: DriverStep) -> RecordedStep {
    let requests: Vec<String> = d.server.iter().map(|l| a.unfill(l)).collect();
    let preflight = requests
        .iter()
        .find(|l| l.starts_with("OPTIONS ") && l.contains(" acrm="))
        .map(|l| {
            let acrm_at = l.find(" acrm=").unwrap() + 6;
            let rest = &l[acrm_at..];
            match rest.split_once(" acrh=") {
                Some((m, h)) => PreflightSeen {
                    method: m.to_string(),
                    headers: Some(h.to_string()),
                },
                None => PreflightSeen {
                    method: rest.to_string(),
                    headers: None,
                },
            }
        });
    let readable = d
        .readable
        .iter()
        .filter(|(_, v)| **v)
        .map(|(k, _)| k.to_ascii_lowercase())
        .collect();
    RecordedStep {
        verdict: Observed {
            allowed: d.ok,
            status: if d.ok { d.status } else { None },
            preflight,
            readable,
            error: d.cors_error,
            requests,
        },
        chromium: ChromiumDetail {
            failed_parameter: d
                .failed_parameter
                .filter(|p| !p.is_empty())
                .map(|p| a.unfill(&p)),
            error_text: d.error_text,
            fetch_error: d.fetch_error.map(|e| a.unfill(&e)),
            cdp_preflights: d.cdp_preflights,
        },
    }
}

/// Writes the recording: pretty, keys sorted (BTreeMap), atomically.
pub fn write(recorded: &Recorded, path: &str) {
    let mut text = serde_json::to_string_pretty(recorded).unwrap();
    text.push('\n');
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}
