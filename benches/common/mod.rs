//! The benchmark scenarios and the harness that calls a wrapped service directly, shared by the
//! criterion benchmarks (`benches/cors.rs`), the summary (`benches/summary.rs`) and the
//! allocation test (`tests/allocations.rs`).
//!
//! Each scenario builds the same configuration twice, once for tower-cors and once for
//! tower-http 0.7's `CorsLayer`, plus one pre-built request. A [`Harness`] wraps an [`Inner`]
//! service that costs next to nothing: it hands out pre-built, pre-sized responses and keeps
//! the requests it receives, so neither building a response nor dropping a request is timed
//! unless the layer itself does it. Both libraries get exactly the same harness.

// Each includer uses a different part of this module.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD};
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use http_body_util::Empty;
use tower_layer::Layer;
use tower_service::Service;

/// The response body both layers are benchmarked with.
pub type Body = Empty<Bytes>;

/// Which library a measurement is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lib {
    TowerCors,
    TowerHttp,
}

impl Lib {
    pub const BOTH: [Lib; 2] = [Lib::TowerCors, Lib::TowerHttp];

    /// The criterion function id, and the column name in the summary.
    pub fn id(self) -> &'static str {
        match self {
            Lib::TowerCors => "tower-cors",
            Lib::TowerHttp => "tower-http",
        }
    }
}

/// Requests handed to the inner service and responses waiting to be handed out.
#[derive(Default)]
pub struct Pool {
    responses: RefCell<Vec<Response<Body>>>,
    spent: RefCell<Vec<Request<()>>>,
    /// Requests prepared since the last batch ran.
    prepared: Cell<usize>,
    /// Whether a call happened since the last `prepare`.
    called: Cell<bool>,
}

/// A response as an application returns it, with room for the CORS headers so inserting them
/// never grows the map (the layer is not charged for a growth a real response would not have).
pub fn fresh_response() -> Response<Body> {
    let mut response = Response::new(Body::new());
    *response.headers_mut() = HeaderMap::with_capacity(8);
    response
}

/// The inner service: pops a pre-built response and keeps the request, so neither is built
/// nor dropped while a measurement runs.
#[derive(Clone)]
pub struct Inner {
    pool: Rc<Pool>,
}

impl Service<Request<()>> for Inner {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        self.pool.spent.borrow_mut().push(request);
        let response = self.pool.responses.borrow_mut().pop();
        ready(Ok(response.unwrap_or_else(fresh_response)))
    }
}

struct NoopWaker;

impl Wake for NoopWaker {
    fn wake(self: Arc<Self>) {}
}

/// One request through a service, start to finish.
type CallFn = Box<dyn FnMut(Request<()>) -> Response<Body>>;

/// A service wrapped for direct calls: `prepare` builds a request outside the measurement,
/// `call` runs `poll_ready`, `call` and one poll of the future, as a server would.
pub struct Harness {
    // In a RefCell so that `prepare` and `call` can both be borrowed by criterion's closures.
    svc: RefCell<CallFn>,
    pool: Rc<Pool>,
    /// Whether the service calls the inner service for this scenario's request (a preflight
    /// is answered by the layer), so responses are only pre-built when they will be used.
    calls_inner: bool,
}

fn drive<S>(svc: &mut S, cx: &mut Context<'_>, request: Request<()>) -> Response<Body>
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible>,
{
    let Poll::Ready(Ok(())) = svc.poll_ready(cx) else {
        panic!("the benchmarked service is always ready")
    };
    let future = pin!(svc.call(request));
    match future.poll(cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => panic!("the benchmarked service answers at once"),
    }
}

impl Harness {
    /// Wraps `layer` around an [`Inner`] service; `None` benchmarks the inner service alone.
    pub fn new<L>(layer: Option<L>, probe: &Request<()>) -> Self
    where
        L: Layer<Inner>,
        L::Service: Service<Request<()>, Response = Response<Body>, Error = Infallible> + 'static,
    {
        let pool = Rc::new(Pool::default());
        let inner = Inner { pool: pool.clone() };
        let waker = Waker::from(Arc::new(NoopWaker));
        let svc: CallFn = match layer {
            Some(layer) => {
                let mut svc = layer.layer(inner);
                Box::new(move |r| drive(&mut svc, &mut Context::from_waker(&waker), r))
            }
            None => {
                let mut svc = inner;
                Box::new(move |r| drive(&mut svc, &mut Context::from_waker(&waker), r))
            }
        };
        let mut harness = Harness {
            svc: RefCell::new(svc),
            pool,
            calls_inner: true,
        };
        let request = harness.prepare(probe);
        drop(harness.call(request));
        harness.calls_inner = !harness.pool.spent.borrow().is_empty();
        harness
    }

    /// Clones `template` for one call, outside the measurement. Requests kept by the inner
    /// service during the previous batch are dropped here, and room is made for this batch.
    pub fn prepare(&self, template: &Request<()>) -> Request<()> {
        let pool = &self.pool;
        if pool.called.replace(false) {
            pool.spent.borrow_mut().clear();
            pool.prepared.set(0);
        }
        pool.prepared.set(pool.prepared.get() + 1);
        pool.spent.borrow_mut().reserve(pool.prepared.get());
        if self.calls_inner {
            pool.responses.borrow_mut().push(fresh_response());
        }
        template.clone()
    }

    /// One request through the service, as measured.
    #[inline]
    pub fn call(&self, request: Request<()>) -> Response<Body> {
        self.pool.called.set(true);
        (self.svc.borrow_mut())(request)
    }
}

/// One benchmark scenario: a request and the same configuration for both libraries.
pub struct Scenario {
    pub name: String,
    pub request: Request<()>,
    /// `None` for the inner service alone.
    pub tower_cors: Option<tower_cors::CorsLayer>,
    pub tower_http: Option<tower_http::cors::CorsLayer>,
}

impl Scenario {
    /// The harness for `lib` in this scenario.
    pub fn harness(&self, lib: Lib) -> Harness {
        match lib {
            Lib::TowerCors => Harness::new(self.tower_cors.clone(), &self.request),
            Lib::TowerHttp => Harness::new(self.tower_http.clone(), &self.request),
        }
    }

    /// Whether this is a layer scenario (not the inner service alone), so it counts in the
    /// comparison.
    pub fn compares(&self) -> bool {
        self.tower_cors.is_some()
    }
}

const ALLOWED: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://www.example.com",
];
const METHODS: [Method; 4] = [Method::GET, Method::POST, Method::PUT, Method::DELETE];
const HEADERS: [&str; 3] = ["authorization", "content-type", "x-request-id"];

fn get(origin: Option<&str>) -> Request<()> {
    let mut b = Request::get("/items");
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    b.body(()).unwrap()
}

fn preflight(origin: &str, request_headers: &str) -> Request<()> {
    Request::options("/items")
        .header("origin", origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, request_headers)
        .body(())
        .unwrap()
}

/// The common configuration: 3 origins, a method list, a header list, credentials, max-age and
/// exposed headers; the same settings for both libraries.
fn standard<I>(origins: I) -> (tower_cors::CorsLayer, tower_http::cors::CorsLayer)
where
    I: IntoIterator<Item = String>,
{
    let origins: Vec<String> = origins.into_iter().collect();
    let policy = tower_cors::CorsPolicy::builder()
        .allow_origins(origins.iter().map(String::as_str))
        .allow_methods(METHODS)
        .allow_headers(HEADERS)
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap();
    let http = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::list(
            origins.iter().map(|o| HeaderValue::from_str(o).unwrap()),
        ))
        .allow_methods(METHODS)
        .allow_headers(HEADERS.map(HeaderName::from_static))
        .expose_headers([HeaderName::from_static("x-request-id")])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
    (tower_cors::CorsLayer::new(policy), http)
}

/// A scenario on the standard configuration with these origins.
fn on_standard(name: &str, origins: Vec<String>, request: Request<()>) -> Scenario {
    let (cors, http) = standard(origins);
    Scenario {
        name: name.to_owned(),
        request,
        tower_cors: Some(cors),
        tower_http: Some(http),
    }
}

/// `n` distinct tenant origins; the last one is `https://t{n-1}.example.com`.
fn tenants(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://t{i}.example.com"))
        .collect()
}

/// `n` wildcard patterns `https://*.t{i}.example.com`, given to tower-cors as patterns and to
/// tower-http as the predicate a user would write: a scan of the suffixes.
fn wildcards(n: usize, origin: &str) -> Scenario {
    let patterns: Vec<String> = (0..n)
        .map(|i| format!("https://*.t{i}.example.com"))
        .collect();
    let policy = tower_cors::CorsPolicy::builder()
        .allow_origins(patterns.iter().map(String::as_str))
        .allow_methods(METHODS)
        .allow_credentials(true)
        .build()
        .unwrap();
    let suffixes: Vec<String> = (0..n).map(|i| format!(".t{i}.example.com")).collect();
    let http = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::predicate(
            move |origin, _| {
                let Some(host) = origin.as_bytes().strip_prefix(b"https://") else {
                    return false;
                };
                suffixes
                    .iter()
                    .any(|s| host.len() > s.len() && host.ends_with(s.as_bytes()))
            },
        ))
        .allow_methods(METHODS)
        .allow_credentials(true);
    Scenario {
        name: format!("wildcards-{n}"),
        request: get(Some(origin)),
        tower_cors: Some(tower_cors::CorsLayer::new(policy)),
        tower_http: Some(http),
    }
}

/// `n` regexes, given to tower-cors as origin regexes and to tower-http as a predicate over one
/// `RegexSet` of the same regexes, anchored (the fastest way a user would write it).
fn regexes(n: usize, origin: &str) -> Scenario {
    let regexes: Vec<String> = (0..n)
        .map(|i| format!(r"https://[a-z0-9-]+\.t{i}\.example\.com"))
        .collect();
    let policy = tower_cors::CorsPolicy::builder();
    let policy = regexes
        .iter()
        .fold(policy, |b, r| b.allow_origin_regex(r))
        .allow_methods(METHODS)
        .allow_credentials(true)
        .build()
        .unwrap();
    let set = regex::bytes::RegexSetBuilder::new(regexes.iter().map(|r| format!("^(?:{r})$")))
        .size_limit(64 << 20)
        .build()
        .unwrap();
    let http = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::predicate(
            move |origin, _| set.is_match(origin.as_bytes()),
        ))
        .allow_methods(METHODS)
        .allow_credentials(true);
    Scenario {
        name: format!("regexes-{n}"),
        request: get(Some(origin)),
        tower_cors: Some(tower_cors::CorsLayer::new(policy)),
        tower_http: Some(http),
    }
}

/// A 16 KiB `Access-Control-Request-Headers` of valid names: what an attacker sends to make
/// the parser work.
pub fn adversarial_request_headers() -> String {
    let mut s = String::with_capacity(16 * 1024);
    let mut i = 0;
    while s.len() < 16 * 1024 - 16 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("x-h{i}"));
        i += 1;
    }
    while s.len() < 16 * 1024 {
        s.push('a');
    }
    s
}

/// Every scenario, in the order the table lists them.
pub fn scenarios() -> Vec<Scenario> {
    let std3 = || ALLOWED.map(String::from).to_vec();
    let mut all = vec![
        Scenario {
            name: "inner service alone".into(),
            request: get(Some(ALLOWED[2])),
            tower_cors: None,
            tower_http: None,
        },
        on_standard("no origin", std3(), get(None)),
        on_standard("simple allowed (3)", std3(), get(Some(ALLOWED[2]))),
        on_standard(
            "simple disallowed (3)",
            std3(),
            get(Some("https://evil.example.net")),
        ),
        on_standard(
            "preflight allowed",
            std3(),
            preflight(ALLOWED[2], "authorization,content-type"),
        ),
        on_standard(
            "preflight rejected",
            std3(),
            preflight("https://evil.example.net", "authorization,content-type"),
        ),
    ];
    let policy = tower_cors::CorsPolicy::builder()
        .allow_any_origin()
        .allow_methods(METHODS)
        .build()
        .unwrap();
    let http = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods(METHODS);
    all.push(Scenario {
        name: "any origin".into(),
        request: get(Some(ALLOWED[0])),
        tower_cors: Some(tower_cors::CorsLayer::new(policy)),
        tower_http: Some(http),
    });
    for n in [1, 100, 10_000] {
        let last = format!("https://t{}.example.com", n - 1);
        all.push(on_standard(
            &format!("origins-{n} last"),
            tenants(n),
            get(Some(&last)),
        ));
        all.push(on_standard(
            &format!("origins-{n} absent"),
            tenants(n),
            get(Some("https://evil.example.net")),
        ));
    }
    for n in [1, 100, 1_000] {
        let origin = format!("https://app.t{}.example.com", n - 1);
        all.push(wildcards(n, &origin));
        all.push(regexes(n, &origin));
    }
    all.push(on_standard(
        "adversarial ACRH 16 KiB",
        std3(),
        preflight(ALLOWED[2], &adversarial_request_headers()),
    ));
    all
}
