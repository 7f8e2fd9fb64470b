//! The scripted test server: one tower service that answers every scenario's preflight and
//! actual request from its script and logs what it received, served over real TCP on 127.0.0.1
//! for Chromium and called in-process by the model. Plus the page server (the second origin).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower_service::Service;

use crate::scenarios::{
    expand, OriginKind, Reply, Scenario, API, API2, API_HOST, ORIGIN, PAGE_PORT,
};

/// Where the page and the scripted server live.
#[derive(Debug, Clone)]
pub struct Addresses {
    /// `http://127.0.0.1:<page port>`: the origin of the page that fetches.
    pub page_origin: String,
    pub page_port: u16,
    /// `http://127.0.0.1:<port>`: the origin of the scripted server.
    pub api: String,
    /// `http://localhost:<port>`: the same server under another origin.
    pub api2: String,
    /// `127.0.0.1:<port>`.
    pub api_host: String,
    /// `http://localhost:<page port>`: the page server under the origin the example apps allow.
    pub localhost_origin: String,
    /// Example app name -> its base URL (`http://127.0.0.1:<port>`).
    pub apps: std::collections::BTreeMap<String, String>,
}

impl Addresses {
    pub fn new(page_port: u16, api_port: u16) -> Self {
        Addresses {
            page_origin: format!("http://127.0.0.1:{page_port}"),
            page_port,
            api: format!("http://127.0.0.1:{api_port}"),
            api2: format!("http://localhost:{api_port}"),
            api_host: format!("127.0.0.1:{api_port}"),
            localhost_origin: format!("http://localhost:{page_port}"),
            apps: Default::default(),
        }
    }

    /// Adds an example app served at `http://127.0.0.1:<port>`.
    pub fn with_app(mut self, app: &str, port: u16) -> Self {
        self.apps
            .insert(app.to_owned(), format!("http://127.0.0.1:{port}"));
        self
    }

    /// The origin a scenario's fetch runs from (what the browser serialises).
    pub fn origin_of(&self, s: &Scenario) -> String {
        match s.origin {
            OriginKind::Page => self.page_origin.clone(),
            OriginKind::Localhost => self.localhost_origin.clone(),
            OriginKind::Null => "null".into(),
        }
    }

    pub fn url_of(&self, s: &Scenario) -> String {
        match &s.app {
            Some(app) => format!(
                "{}{}?s={}",
                self.apps.get(app).expect("app served"),
                s.request_path(),
                s.id
            ),
            None => format!("{}/s/{}", self.api, s.id),
        }
    }

    /// Replaces the placeholders of the table with this run's values.
    pub fn fill(&self, s: &Scenario, text: &str) -> String {
        expand(
            &text
                .replace(API2, &self.api2)
                .replace(API_HOST, &self.api_host)
                .replace(API, &self.api)
                .replace(ORIGIN, &self.origin_of(s))
                .replace(PAGE_PORT, &self.page_port.to_string()),
        )
    }

    /// Replaces this run's values with the placeholders (for the recording).
    pub fn unfill(&self, text: &str) -> String {
        text.replace(&self.api, API)
            .replace(&self.api2, API2)
            .replace(&self.api_host, API_HOST)
            .replace(&self.localhost_origin, ORIGIN)
            .replace(&self.page_origin, ORIGIN)
            .replace(&self.page_port.to_string(), PAGE_PORT)
    }
}

struct Script {
    origin: OriginKind,
    preflight: Vec<Prepared>,
    actual: Vec<Prepared>,
    next: Option<Prepared>,
}

#[derive(Clone)]
struct Prepared {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<Bytes>,
}

#[derive(Default)]
struct Counters {
    preflights: usize,
    actuals: usize,
    log: Vec<String>,
}

struct Inner {
    addresses: Addresses,
    scripts: HashMap<String, Script>,
    state: Mutex<HashMap<String, Counters>>,
}

/// The scripted service. Cheap to clone; clones share the script and the log.
#[derive(Clone)]
pub struct ScriptedService {
    inner: Arc<Inner>,
}

impl ScriptedService {
    pub fn new(addresses: Addresses, scenarios: &[Scenario]) -> Self {
        let prepare = |s: &Scenario, r: &Reply| {
            let mut headers = HeaderMap::new();
            for (name, value) in &r.headers {
                headers.append(
                    HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                    HeaderValue::from_str(&addresses.fill(s, value)).expect("header value"),
                );
            }
            Prepared {
                status: StatusCode::from_u16(r.status).expect("status"),
                headers,
                body: r.body.as_ref().map(|b| Bytes::from(b.clone())),
            }
        };
        let scripts = scenarios
            .iter()
            .map(|s| {
                let script = Script {
                    origin: s.origin,
                    preflight: s.preflight.iter().map(|r| prepare(s, r)).collect(),
                    actual: s.actual.iter().map(|r| prepare(s, r)).collect(),
                    next: s.next.as_ref().map(|r| prepare(s, r)),
                };
                (s.id.clone(), script)
            })
            .collect();
        ScriptedService {
            inner: Arc::new(Inner {
                addresses,
                scripts,
                state: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Adds a line to a scenario's log (the example apps log here too).
    pub fn log(&self, id: &str, line: String) {
        let mut state = self.inner.state.lock().unwrap();
        state.entry(id.to_string()).or_default().log.push(line);
    }

    /// Takes (and forgets) what the server received for a scenario since the last drain.
    pub fn drain(&self, id: &str) -> Vec<String> {
        let mut state = self.inner.state.lock().unwrap();
        state
            .get_mut(id)
            .map(|c| std::mem::take(&mut c.log))
            .unwrap_or_default()
    }

    fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Response<Full<Bytes>> {
        if let Some(id) = path.strip_prefix("/_drain/") {
            // The driver's bookkeeping endpoint (called by node, not by the page).
            let body = serde_json::to_string(&self.drain(id)).unwrap();
            return Response::builder()
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .unwrap();
        }
        let Some(rest) = path.strip_prefix("/s/") else {
            return plain(StatusCode::NOT_FOUND);
        };
        let (id, is_next) = match rest.strip_suffix("/next") {
            Some(id) => (id, true),
            None => (rest, false),
        };
        let Some(script) = self.inner.scripts.get(id) else {
            return plain(StatusCode::NOT_FOUND);
        };
        let origin = match headers
            .get("origin")
            .map(|v| v.to_str().unwrap_or("(not utf-8)"))
        {
            None => "origin=(none)".to_string(),
            Some(o)
                if o == self.inner.addresses.page_origin && script.origin == OriginKind::Page =>
            {
                "origin=$ORIGIN".into()
            }
            Some(o) => format!("origin={o}"),
        };
        let joined = |name: &str| {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap_or("(not utf-8)"))
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        };
        let mut state = self.inner.state.lock().unwrap();
        let counters = state.entry(id.to_string()).or_default();
        let acrm = joined("access-control-request-method");
        let preflight_acrm = acrm.filter(|_| *method == Method::OPTIONS);
        let reply = if let Some(acrm) = preflight_acrm {
            let mut line = format!("OPTIONS {path} {origin} acrm={acrm}");
            if let Some(acrh) = joined("access-control-request-headers") {
                line.push_str(&format!(" acrh={acrh}"));
            }
            counters.log.push(line);
            if is_next {
                // A redirect hop's own preflight: answered like the hop itself.
                script.next.clone()
            } else {
                let k = counters.preflights;
                counters.preflights += 1;
                pick(&script.preflight, k)
            }
        } else {
            // Whether Authorization arrived (a hop to another origin drops it).
            let authorization = if headers.contains_key("authorization") {
                " authorization"
            } else {
                ""
            };
            counters
                .log
                .push(format!("{method} {path} {origin}{authorization}"));
            if is_next {
                script.next.clone()
            } else {
                let k = counters.actuals;
                counters.actuals += 1;
                pick(&script.actual, k)
            }
        };
        drop(state);
        let Some(reply) = reply else {
            return plain(StatusCode::NOT_FOUND);
        };
        let empty = *method == Method::HEAD
            || reply.status == StatusCode::NO_CONTENT
            || reply.status == StatusCode::NOT_MODIFIED;
        let body = if empty {
            Bytes::new()
        } else {
            reply.body.unwrap_or_else(|| Bytes::from_static(b"ok\n"))
        };
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = reply.status;
        *response.headers_mut() = reply.headers;
        response
    }
}

fn pick(replies: &[Prepared], k: usize) -> Option<Prepared> {
    replies.get(k.min(replies.len().checked_sub(1)?)).cloned()
}

fn plain(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r
}

/// The request body is never read; both the hyper server and the model hand the service a
/// `Request<Full<Bytes>>` (the server drops the body it received), so a single impl serves both
/// and the model's `B` is inferred.
pub type Body = Full<Bytes>;

impl Service<Request<Body>> for ScriptedService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        ready(Ok(self.answer(
            req.method(),
            req.uri().path(),
            req.headers(),
        )))
    }
}

/// Serves `service` on a listener already bound (so the port is known before the script is
/// built). Each connection is served by a clone of the same service.
pub fn serve_scripted(listener: TcpListener, service: ScriptedService) {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let mut service = service.clone();
                    service.call(req.map(|_| Body::default()))
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}

/// The page: a runner that performs one fetch as the driver describes it and reports what the
/// script could see. The same script runs in a sandboxed iframe for the `null` origin.
pub const RUNNER_JS: &str = r#"
window.runFetch = async (s) => {
  const headers = new Headers();
  for (const [name, value] of s.headers) headers.append(name, value);
  const init = { method: s.method, headers, credentials: s.credentials, mode: 'cors' };
  if (s.body === 'bytes') init.body = new Uint8Array([104, 105]);
  if (s.body === 'stream') {
    init.body = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } });
    init.duplex = 'half';
  }
  try {
    const r = await fetch(s.url, { ...init, signal: AbortSignal.timeout(10000) });
    const readable = {};
    for (const name of s.read) readable[name] = r.headers.get(name) !== null;
    const keys = [...r.headers.keys()];
    await r.arrayBuffer();
    return { ok: true, status: r.status, readable, keys };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
};
window.runnerReady = true;
"#;

const PAGE_HTML: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>tower-cors browser suite</title>
<script src="/runner.js"></script></head>
<body><p>tower-cors browser suite</p></body></html>
"#;

/// Serves the page (`/`) and the runner (`/runner.js`) on the second origin.
pub fn serve_page(listener: TcpListener) {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let svc = service_fn(|req: Request<hyper::body::Incoming>| async move {
                    let (ty, body) = match req.uri().path() {
                        "/" => ("text/html; charset=utf-8", PAGE_HTML),
                        "/runner.js" => ("text/javascript; charset=utf-8", RUNNER_JS),
                        _ => ("text/plain", ""),
                    };
                    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
                    if body.is_empty() {
                        *r.status_mut() = StatusCode::NOT_FOUND;
                    }
                    r.headers_mut()
                        .insert("content-type", HeaderValue::from_static(ty));
                    Ok::<_, Infallible>(r)
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}

pub async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}
