//! The scenario table (`scenarios.json`) and the verdicts compared across Chromium, the model and
//! the expectation.
//!
//! A scenario is a script for the test server (what it answers to the preflight, to the actual
//! request and, for redirects, to `/s/<id>/next`) and one or more fetches from the page, each with
//! the verdict written by hand from `shared/reference/browser-rules.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Placeholder for the page's origin (`http://127.0.0.1:<page port>`, or `null`).
pub const ORIGIN: &str = "$ORIGIN";
/// Placeholder for the page server's port.
pub const PAGE_PORT: &str = "$PAGEPORT";
/// Placeholder for the scripted server's origin (`http://127.0.0.1:<port>`).
pub const API: &str = "$API";
/// Placeholder for the same server under another origin (`http://localhost:<port>`), for
/// redirects that change origin.
pub const API2: &str = "$API2";
/// Placeholder for the scripted server's `host:port` (`127.0.0.1:<port>`), to write URLs with
/// userinfo.
pub const API_HOST: &str = "$APIHOST";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub scenarios: Vec<Scenario>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique; also the URL path `/s/<id>` (so Chromium's preflight cache never leaks between
    /// scenarios).
    pub id: String,
    /// The rule of browser-rules.md this scenario exercises.
    pub rule: String,
    /// Why the expectation is what it is, where that is not obvious.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the fetch runs: the page (`http://127.0.0.1:<page port>`), the same page served as
    /// `http://localhost:<page port>`, or a sandboxed iframe in the first (origin `null`).
    #[serde(default)]
    pub origin: OriginKind,
    /// An example app (`apps::APPS`) that answers instead of the scripted server; then `path` is
    /// the path fetched (with `?s=<id>` appended) and `preflight` / `actual` / `next` are empty.
    #[serde(default)]
    pub app: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    /// The k-th preflight this scenario receives is answered with `preflight[min(k, len - 1)]`.
    /// Empty: 404 without CORS headers.
    #[serde(default)]
    pub preflight: Vec<Reply>,
    /// Same for the actual requests to `/s/<id>`.
    #[serde(default)]
    pub actual: Vec<Reply>,
    /// The answer of `/s/<id>/next` (a redirect target), to its preflight and to the request.
    #[serde(default)]
    pub next: Option<Reply>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OriginKind {
    #[default]
    Page,
    Localhost,
    Null,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub request: Req,
    /// Milliseconds to wait before this fetch (real time in Chromium, virtual in the model).
    #[serde(default)]
    pub wait_ms: u64,
    pub expect: Expect,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Req {
    #[serde(default = "get")]
    pub method: String,
    /// Appended in order with `Headers.append` (so a repeated name is combined with `, `).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// `omit`, `same-origin` (fetch's default) or `include`.
    #[serde(default = "same_origin")]
    pub credentials: String,
    /// `none`, `bytes` (a `Uint8Array`, so no Content-Type is added) or `stream` (a
    /// `ReadableStream` with `duplex: "half"`).
    #[serde(default = "none")]
    pub body: String,
    /// Response header names the script reads with `response.headers.get`.
    #[serde(default)]
    pub read: Vec<String>,
    /// Names among `headers` that are forbidden request-headers: fetch drops them silently, the
    /// model's `BrowserRequest::header` refuses them (by design, so a test cannot assume they
    /// reach the server). The model run asserts the refusal and leaves them out.
    #[serde(default)]
    pub forbidden: Vec<String>,
}

fn get() -> String {
    "GET".into()
}
fn same_origin() -> String {
    "same-origin".into()
}
fn none() -> String {
    "none".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub allowed: bool,
    /// The status the script sees (only when allowed).
    #[serde(default)]
    pub status: Option<u16>,
    /// `none`, `cached`, or the preflight that must reach the server.
    pub preflight: ExpectPreflight,
    /// Which of `request.read` the script can read (lower-case, sorted).
    #[serde(default)]
    pub readable: Vec<String>,
    /// Chromium's CDP `corsError` name when blocked by CORS.
    #[serde(default)]
    pub error: Option<String>,
    /// What the server must see, in order; derived from the rest when absent.
    #[serde(default)]
    pub requests: Option<Vec<String>>,
    /// `fetch()` itself throws before any request (forbidden method).
    #[serde(default)]
    pub rejected_by_fetch: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ExpectPreflight {
    /// `"none"` (no preflight needed) or `"cached"` (needed but served from the cache).
    Kind(String),
    Sent(PreflightSeen),
}

/// A preflight as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PreflightSeen {
    /// `Access-Control-Request-Method`.
    pub method: String,
    /// `Access-Control-Request-Headers`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<String>,
}

/// What the three parties are compared on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    pub allowed: bool,
    pub status: Option<u16>,
    /// The preflight the server received for this fetch (`None`: none reached it).
    pub preflight: Option<PreflightSeen>,
    /// Which of the requested response headers were readable (sorted, lower-case).
    pub readable: Vec<String>,
    /// The CORS error name (CDP `corsError`).
    pub error: Option<String>,
    /// What the server received, one line per request.
    pub requests: Vec<String>,
}

/// The recorded outcome of one fetch in Chromium.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedStep {
    pub verdict: Observed,
    /// Extra facts from Chromium, kept for the reader; not compared with the model.
    pub chromium: ChromiumDetail,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChromiumDetail {
    /// CDP `corsErrorStatus.failedParameter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_parameter: Option<String>,
    /// CDP `loadingFailed.errorText`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// What `fetch()` rejected with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_error: Option<String>,
    /// How many requests of CDP type `Preflight` Chromium reported for this fetch.
    pub cdp_preflights: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// `browser.version()` of the Chromium that produced these verdicts.
    pub chromium: String,
    pub user_agent: String,
    pub scenarios: BTreeMap<String, Vec<RecordedStep>>,
}

pub const TABLE_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/scenarios.json");
pub const RECORDED_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/recorded.json");

pub fn load() -> Table {
    let text = std::fs::read_to_string(TABLE_PATH).expect("read scenarios.json");
    let table: Table = serde_json::from_str(&text).expect("parse scenarios.json");
    let mut seen = std::collections::BTreeSet::new();
    for s in &table.scenarios {
        assert!(
            s.id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "scenario id {:?}: use [a-z0-9-]",
            s.id
        );
        assert!(seen.insert(s.id.clone()), "duplicate scenario id {}", s.id);
        assert!(!s.steps.is_empty(), "scenario {} has no steps", s.id);
        match &s.app {
            Some(app) => assert!(
                crate::apps::APPS.contains(&app.as_str())
                    && s.path.as_deref().is_some_and(|p| p.starts_with('/'))
                    && s.preflight.is_empty()
                    && s.actual.is_empty()
                    && s.next.is_none(),
                "scenario {}: an app scenario names a known app and a path, and no replies",
                s.id
            ),
            None => assert!(
                !s.actual.is_empty() && s.path.is_none(),
                "scenario {} has no actual reply (or a path without an app)",
                s.id
            ),
        }
        for (i, step) in s.steps.iter().enumerate() {
            if let ExpectPreflight::Kind(k) = &step.expect.preflight {
                assert!(
                    k == "none" || k == "cached",
                    "{} step {i}: preflight is \"none\", \"cached\" or {{method, headers}}",
                    s.id
                );
            }
            assert!(
                ["omit", "same-origin", "include"].contains(&step.request.credentials.as_str()),
                "{} step {i}: credentials",
                s.id
            );
            assert!(
                ["none", "bytes", "stream"].contains(&step.request.body.as_str()),
                "{} step {i}: body",
                s.id
            );
        }
    }
    table
}

pub fn load_recorded() -> Recorded {
    let text = std::fs::read_to_string(RECORDED_PATH)
        .expect("read tests/browser/recorded.json (run tests/browser/run.sh to record it)");
    serde_json::from_str(&text).expect("parse recorded.json")
}

/// Expands `<<x*N>>` (the text `x` repeated N times) in a header value, so that the table can
/// state 128-byte values readably.
pub fn expand(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("<<") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find(">>").expect("unterminated <<") + start;
        let inner = &rest[start + 2..end];
        let (unit, n) = inner.rsplit_once('*').expect("<<text*count>>");
        out.push_str(&unit.repeat(n.parse().expect("count")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The method as fetch normalises it (the six standard methods upper-cased).
pub fn normalize_method(m: &str) -> String {
    let up = m.to_ascii_uppercase();
    if ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].contains(&up.as_str()) {
        up
    } else {
        m.to_string()
    }
}

/// Errors reported on the actual response (so the actual request reached the server).
const ACTUAL_RESPONSE_ERRORS: &[&str] = &[
    "MissingAllowOriginHeader",
    "AllowOriginMismatch",
    "MultipleAllowOriginValues",
    "InvalidAllowOriginValue",
    "WildcardOriginNotAllowed",
    "InvalidAllowCredentials",
];

impl Scenario {
    pub fn origin_line(&self) -> &'static str {
        match self.origin {
            OriginKind::Page | OriginKind::Localhost => "origin=$ORIGIN",
            OriginKind::Null => "origin=null",
        }
    }

    /// The path the server sees: the app's route, or `/s/<id>` on the scripted server.
    pub fn request_path(&self) -> String {
        match &self.path {
            Some(p) => p.clone(),
            None => format!("/s/{}", self.id),
        }
    }

    /// The expected verdict of step `i`, in the compared form.
    pub fn expected(&self, i: usize) -> Observed {
        let step = &self.steps[i];
        let e = &step.expect;
        let preflight = match &e.preflight {
            ExpectPreflight::Kind(_) => None,
            ExpectPreflight::Sent(p) => Some(p.clone()),
        };
        let requests = e.requests.clone().unwrap_or_else(|| {
            let path = self.request_path();
            let mut lines = Vec::new();
            if let Some(p) = &preflight {
                lines.push(preflight_line(&path, self.origin_line(), p));
            }
            let actual_sent = !e.rejected_by_fetch
                && (e.allowed
                    || e.error.is_none()
                    || ACTUAL_RESPONSE_ERRORS.contains(&e.error.as_deref().unwrap_or("")));
            if actual_sent {
                let authorization = step.request.headers.iter().any(|(n, _)| {
                    n.eq_ignore_ascii_case("authorization")
                        && !step
                            .request
                            .forbidden
                            .iter()
                            .any(|f| f.eq_ignore_ascii_case(n))
                });
                lines.push(format!(
                    "{} {path} {}{}",
                    normalize_method(&step.request.method),
                    self.origin_line(),
                    if authorization { " authorization" } else { "" }
                ));
            }
            lines
        });
        Observed {
            allowed: e.allowed,
            status: if e.allowed { e.status } else { None },
            preflight,
            readable: e.readable.clone(),
            error: e.error.clone(),
            requests,
        }
    }
}

pub fn preflight_line(path: &str, origin_line: &str, p: &PreflightSeen) -> String {
    match &p.headers {
        Some(h) => format!("OPTIONS {path} {origin_line} acrm={} acrh={h}", p.method),
        None => format!("OPTIONS {path} {origin_line} acrm={}", p.method),
    }
}
