//! Replaying golden scenarios against a service and listing how the answers differ.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::util::BoxCloneService;
use tower::{Service, ServiceExt};

/// Every mirrored app, boxed to one type.
pub type Svc = BoxCloneService<Request<Body>, Response<Body>, Infallible>;

/// Boxes an axum router, a hyper-style service, anything that answers `Request<Body>`.
pub fn boxed<S, B>(service: S) -> Svc
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    BoxCloneService::new(service.map_response(|r| r.map(Body::new)))
}

/// Response headers the goldens record besides `access-control-*` and `vary`.
pub const APP_HEADERS: [&str; 5] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-total-count",
    "x-request-id",
    "x-custom-header",
];

fn recorded(name: &str) -> bool {
    name.starts_with("access-control-") || name == "vary" || APP_HEADERS.contains(&name)
}

/// One scenario of a golden.
pub struct Scenario {
    pub id: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub repeat: usize,
    pub status: u16,
    pub response_headers: BTreeMap<String, String>,
    pub body_json: Option<Value>,
}

fn header_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        // Several lines: compared as one comma-joined list, as HTTP allows.
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

impl Scenario {
    pub fn from_json(v: &Value) -> Scenario {
        let req = &v["request"];
        let res = &v["response"];
        Scenario {
            id: v["id"].as_str().expect("scenario id").to_owned(),
            method: req["method"].as_str().expect("method").to_owned(),
            path: req["path"].as_str().expect("path").to_owned(),
            headers: req["headers"]
                .as_array()
                .map(|h| {
                    h.iter()
                        .map(|p| {
                            (
                                p[0].as_str().unwrap().to_owned(),
                                p[1].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            body: req["body"].as_str().map(str::to_owned),
            repeat: req["repeat"].as_u64().map_or(1, |n| n as usize),
            status: res["status"].as_u64().expect("status") as u16,
            response_headers: res["headers"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), header_value(v)))
                        .collect()
                })
                .unwrap_or_default(),
            body_json: res.get("body_json").cloned(),
        }
    }

    /// The request's `Origin` (the first line), if any.
    pub fn origin(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("origin"))
            .map(|(_, v)| v.as_str())
    }

    pub fn request(&self) -> Request<Body> {
        let mut req = Request::builder()
            .method(Method::from_bytes(self.method.as_bytes()).expect("method"))
            .uri(&self.path);
        for (n, v) in &self.headers {
            req = req.header(
                HeaderName::from_bytes(n.as_bytes()).expect("header name"),
                HeaderValue::from_bytes(v.as_bytes()).expect("header value"),
            );
        }
        req.body(Body::from(self.body.clone().unwrap_or_default()))
            .expect("request")
    }
}

/// What the Rust side answered, reduced like the goldens.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body_json: Option<Value>,
}

pub fn reduce(status: u16, headers: &HeaderMap, body: &[u8]) -> Answer {
    let mut out = BTreeMap::new();
    for name in headers.keys() {
        if recorded(name.as_str()) {
            let joined = headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            out.insert(name.as_str().to_owned(), joined);
        }
    }
    Answer {
        status,
        headers: out,
        body_json: serde_json::from_slice(body).ok(),
    }
}

/// Sends the scenario (`repeat` times) in process and reduces the last answer.
pub async fn replay(service: &mut Svc, scenario: &Scenario) -> Answer {
    let mut last = None;
    for _ in 0..scenario.repeat {
        let response = service
            .ready()
            .await
            .unwrap()
            .call(scenario.request())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        last = Some(reduce(parts.status.as_u16(), &parts.headers, &bytes));
    }
    last.expect("repeat >= 1")
}

/// One field where the answers differ.
#[derive(Clone, Debug)]
pub struct Difference {
    pub golden: String,
    pub scenario: String,
    /// `status`, `body`, or a lower-case header name.
    pub field: String,
    pub python: Option<String>,
    pub rust: Option<String>,
}

fn items(v: &str, fold_case: bool) -> BTreeSet<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if fold_case {
                s.to_ascii_lowercase()
            } else {
                s.to_owned()
            }
        })
        .collect()
}

/// Whether two values of a header mean the same to a browser: lists of header names (Vary,
/// Allow-Headers, Expose-Headers) are case-insensitive sets, methods are case-sensitive sets,
/// every other value is compared byte for byte.
pub fn equivalent(field: &str, python: &str, rust: &str) -> bool {
    match field {
        "vary" | "access-control-allow-headers" | "access-control-expose-headers" => {
            items(python, true) == items(rust, true)
        }
        "access-control-allow-methods" => items(python, false) == items(rust, false),
        _ => python == rust,
    }
}

pub fn differences(golden: &str, s: &Scenario, a: &Answer) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut diff = |field: &str, python: Option<String>, rust: Option<String>| {
        out.push(Difference {
            golden: golden.to_owned(),
            scenario: s.id.clone(),
            field: field.to_owned(),
            python,
            rust,
        })
    };
    if s.status != a.status {
        diff(
            "status",
            Some(s.status.to_string()),
            Some(a.status.to_string()),
        );
    }
    let names: BTreeSet<&String> = s.response_headers.keys().chain(a.headers.keys()).collect();
    for name in names {
        let (p, r) = (s.response_headers.get(name), a.headers.get(name));
        let same = match (p, r) {
            (Some(p), Some(r)) => equivalent(name, p, r),
            (None, None) => true,
            _ => false,
        };
        if !same {
            diff(name, p.cloned(), r.cloned());
        }
    }
    if let Some(expected) = &s.body_json {
        if a.body_json.as_ref() != Some(expected) {
            diff(
                "body",
                Some(expected.to_string()),
                a.body_json.as_ref().map(Value::to_string),
            );
        }
    }
    out
}
