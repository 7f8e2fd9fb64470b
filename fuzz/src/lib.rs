//! What the fuzz targets share: running a request through the real layer around a counting
//! inner service, and the invariants every answer must keep (issue 6), as plain assertions so
//! a violation is a crash libFuzzer reports.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use http::header::{ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN, VARY};
use http::{HeaderMap, Request, Response};
use tower_cors::{CorsLayer, CorsPolicy, Decision, DecisionKind};
use tower_layer::Layer;
use tower_service::Service;

/// An inner service that counts its calls and answers 200 with a `Vary` of its own.
#[derive(Clone)]
pub struct Counting {
    pub calls: Rc<Cell<usize>>,
}

impl Service<Request<String>> for Counting {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<String>) -> Self::Future {
        self.calls.set(self.calls.get() + 1);
        let mut r = Response::new(String::from("inner"));
        r.headers_mut()
            .insert(VARY, http::HeaderValue::from_static("Accept-Encoding"));
        std::future::ready(Ok(r))
    }
}

/// Polls a future that is ready at once (the layer around [`Counting`] always is).
fn now<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the layer around a ready service returned Pending"),
    }
}

/// What the target knows about the policy's settings, to tell who should answer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings {
    pub passthrough: bool,
    pub refuse: bool,
}

/// Runs `request` through `CorsLayer::new(policy)` and through `policy.evaluate`, and checks
/// every invariant. Panics (a crash for libFuzzer) on any violation.
pub fn run_and_check(policy: &CorsPolicy, settings: Settings, request: Request<String>) {
    let (parts, body) = request.into_parts();
    let decision = policy.evaluate(&parts);
    let origins: Vec<Vec<u8>> = parts
        .headers
        .get_all(ORIGIN)
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
    let calls = Rc::new(Cell::new(0));
    let mut svc = CorsLayer::new(policy.clone()).layer(Counting {
        calls: calls.clone(),
    });
    let response = now(svc.call(Request::from_parts(parts, body))).unwrap();
    check(
        &decision,
        settings,
        &origins,
        response.headers(),
        calls.get(),
    );
}

/// The invariants, on a decision and the response the layer produced for it.
pub fn check(
    decision: &Decision,
    settings: Settings,
    origins: &[Vec<u8>],
    headers: &HeaderMap,
    inner_calls: usize,
) {
    // Who answers.
    let kind = decision.kind();
    let expect_short_circuit = match kind {
        DecisionKind::NotCors => false,
        DecisionKind::Preflight => !settings.passthrough,
        DecisionKind::Actual => settings.refuse && decision.rejection().is_some(),
    };
    assert_eq!(
        decision.short_circuits(),
        expect_short_circuit,
        "{decision:?}"
    );
    assert_eq!(
        inner_calls,
        usize::from(!expect_short_circuit),
        "inner calls for {decision:?}"
    );
    assert_eq!(kind == DecisionKind::NotCors, origins.is_empty());

    // ACAO: absent, `*`, or the single Origin byte for byte; one header, never a list.
    let acao: Vec<_> = headers
        .get_all(ACCESS_CONTROL_ALLOW_ORIGIN)
        .iter()
        .collect();
    assert!(acao.len() <= 1, "{headers:?}");
    if let Some(v) = acao.first() {
        let v = v.as_bytes();
        assert!(
            v == b"*" || (origins.len() == 1 && v == origins[0].as_slice()),
            "ACAO {:?} for {origins:?}",
            v.escape_ascii().to_string()
        );
        assert!(!v.contains(&b','), "ACAO is a list");
        assert_eq!(decision.allow_origin().map(|o| o.as_bytes()), Some(v));
    }

    // `*` never beside credentials.
    let acac: Vec<_> = headers
        .get_all(ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .iter()
        .collect();
    assert!(acac.len() <= 1);
    if let Some(v) = acac.first() {
        assert_eq!(v.as_bytes(), b"true");
        assert!(acao.first().is_some_and(|o| o.as_bytes() != b"*"));
        for name in [
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-expose-headers",
        ] {
            assert!(
                !items(headers, name).iter().any(|i| i == b"*"),
                "{headers:?}"
            );
        }
    }

    // No CORS header at all when the origin is absent, refused or malformed.
    let cors: Vec<_> = headers
        .keys()
        .filter(|n| n.as_str().starts_with("access-control-"))
        .collect();
    if decision.allow_origin().is_none() {
        assert!(
            cors.is_empty(),
            "CORS headers without an allowed origin: {headers:?}"
        );
    }

    // Nothing unvalidated echoed: every listed method or header name is a token.
    for name in [
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        for item in items(headers, name) {
            assert!(
                is_token(&item),
                "{name} echoes {:?}",
                item.escape_ascii().to_string()
            );
        }
    }

    // Vary names Origin (and the preflight headers), each once.
    let vary = items(headers, "vary");
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for v in &vary {
        let lower = v.to_ascii_lowercase();
        assert!(!seen.contains(&lower), "Vary repeats a name: {headers:?}");
        seen.push(lower);
    }
    assert!(
        seen.iter().any(|v| v == b"origin"),
        "Vary lacks Origin: {headers:?}"
    );
    if kind == DecisionKind::Preflight {
        for want in [
            &b"access-control-request-method"[..],
            b"access-control-request-headers",
        ] {
            assert!(seen.iter().any(|v| v == want), "{headers:?}");
        }
    }
}

/// The items of every line of a list header, trimmed, empty ones skipped.
pub fn items(headers: &HeaderMap, name: &str) -> Vec<Vec<u8>> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b',').map(<[u8]>::trim_ascii))
        .filter(|i| !i.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
}

/// Parses the text form the `evaluate` seeds use: a method line, then `name: value` lines.
/// Lines that are not a valid header are skipped; `None` if the method is not a token.
pub fn parse_request(text: &[u8]) -> Option<Request<String>> {
    let mut lines = text.split(|&b| b == b'\n');
    let method = http::Method::from_bytes(lines.next()?.trim_ascii()).ok()?;
    let mut request = Request::builder()
        .method(method)
        .uri("/resource")
        .body(String::new())
        .ok()?;
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name),
            http::HeaderValue::from_bytes(value),
        ) {
            request.headers_mut().append(n, v);
        }
    }
    Some(request)
}
