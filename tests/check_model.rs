//! The browser model against real tower services with scripted responses.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use tower::service_fn;
use tower_cors::check::{
    Blocked, Browser, BrowserRequest, CorsError, Credentials, Mode, NetworkError, Preflight,
    Verdict,
};

const PAGE: &str = "http://localhost:3000";
const API: &str = "http://api.test:8080/items?page=2";

/// What the server saw: method, URI and headers of each request.
type Log = Arc<Mutex<Vec<(Method, String, HeaderMap)>>>;

/// A scripted server: fixed answers to OPTIONS and to everything else.
#[derive(Clone, Default)]
struct Script {
    preflight_status: u16,
    preflight: Vec<(&'static str, &'static str)>,
    actual_status: u16,
    actual: Vec<(&'static str, &'static str)>,
}

impl Script {
    fn new() -> Self {
        Script {
            preflight_status: 204,
            actual_status: 200,
            ..Script::default()
        }
    }
    fn preflight(mut self, h: &[(&'static str, &'static str)]) -> Self {
        self.preflight.extend_from_slice(h);
        self
    }
    fn actual(mut self, h: &[(&'static str, &'static str)]) -> Self {
        self.actual.extend_from_slice(h);
        self
    }
}

fn respond(status: u16, headers: &[(&'static str, &'static str)]) -> Response<()> {
    let mut res = Response::new(());
    *res.status_mut() = StatusCode::from_u16(status).unwrap();
    for (n, v) in headers {
        res.headers_mut().append(*n, HeaderValue::from_static(v));
    }
    res
}

async fn run(browser: &mut Browser, script: &Script, req: &BrowserRequest) -> (Verdict, Log) {
    let log: Log = Log::default();
    let seen = log.clone();
    let script = script.clone();
    let mut service = service_fn(move |r: Request<()>| {
        seen.lock()
            .unwrap()
            .push((r.method().clone(), r.uri().to_string(), r.headers().clone()));
        let res = if r.method() == Method::OPTIONS {
            respond(script.preflight_status, &script.preflight)
        } else {
            respond(script.actual_status, &script.actual)
        };
        async move { Ok::<_, Infallible>(res) }
    });
    let verdict = browser.fetch(&mut service, req).await;
    (verdict, log)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn blocked(error: CorsError, detail: Option<&str>) -> Option<Blocked> {
    Some(Blocked::new(error, detail))
}

const ALLOW_PAGE: (&str, &str) = ("access-control-allow-origin", PAGE);

#[tokio::test]
async fn simple_get_is_not_preflighted_and_reads_safelisted_headers() {
    let script = Script::new().actual(&[
        ALLOW_PAGE,
        ("content-type", "application/json"),
        ("x-total", "3"),
        ("set-cookie", "a=b"),
    ]);
    let req = BrowserRequest::new(PAGE, "GET", API)
        .unwrap()
        .read_header("Content-Type")
        .read_header("X-Total");
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert_eq!(
        v,
        Verdict {
            allowed: true,
            preflight: Preflight::NotNeeded,
            status: Some(StatusCode::OK),
            readable_headers: vec!["content-type".into()],
            unreadable_requested: vec!["x-total".into()],
            blocked: None,
            network_error: None,
            redirects: vec![],
        }
    );
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    let (method, uri, h) = &log[0];
    assert_eq!(method, Method::GET);
    assert_eq!(uri, "/items?page=2");
    assert_eq!(header(h, "host"), Some("api.test:8080"));
    assert_eq!(header(h, "origin"), Some(PAGE));
    assert_eq!(header(h, "accept"), Some("*/*"));
    assert!(h.get("cookie").is_none());
}

#[tokio::test]
async fn preflight_carries_exact_acrm_and_acrh_then_actual_request() {
    let script = Script::new()
        .preflight(&[
            ALLOW_PAGE,
            ("access-control-allow-methods", "GET, PUT"),
            ("access-control-allow-headers", "Content-Type, X-Request-Id"),
        ])
        .actual(&[
            ALLOW_PAGE,
            ("access-control-expose-headers", "X-Total"),
            ("x-total", "3"),
            ("x-internal", "1"),
        ]);
    let req = BrowserRequest::new(PAGE, "put", API)
        .unwrap()
        .header("X-Request-Id", "42")
        .unwrap()
        .header("Content-Type", "application/json")
        .unwrap()
        .header("Accept-Language", "en")
        .unwrap()
        .read_header("x-total")
        .read_header("x-internal");
    let (v, log) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert_eq!(
        v,
        Verdict {
            allowed: true,
            preflight: Preflight::Sent {
                method: "PUT".into(),
                headers: Some("content-type,x-request-id".into()),
            },
            status: Some(StatusCode::OK),
            readable_headers: vec!["x-total".into()],
            unreadable_requested: vec!["x-internal".into()],
            blocked: None,
            network_error: None,
            redirects: vec![],
        }
    );
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    let (m, uri, pre) = &log[0];
    assert_eq!((m, uri.as_str()), (&Method::OPTIONS, "/items?page=2"));
    assert_eq!(header(pre, "origin"), Some(PAGE));
    assert_eq!(header(pre, "accept"), Some("*/*"));
    assert_eq!(header(pre, "access-control-request-method"), Some("PUT"));
    assert_eq!(
        header(pre, "access-control-request-headers"),
        Some("content-type,x-request-id")
    );
    assert!(pre.get("x-request-id").is_none());
    let (m, _, actual) = &log[1];
    assert_eq!(m, Method::PUT);
    assert_eq!(header(actual, "x-request-id"), Some("42"));
    assert_eq!(header(actual, "content-type"), Some("application/json"));
    assert_eq!(header(actual, "origin"), Some(PAGE));
    assert!(actual.get("access-control-request-method").is_none());
}

#[tokio::test]
async fn disallowed_header_blocks_before_the_actual_request() {
    let script = Script::new()
        .preflight(&[
            ALLOW_PAGE,
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "content-type"),
        ])
        .actual(&[ALLOW_PAGE]);
    let req = BrowserRequest::new(PAGE, "PUT", API)
        .unwrap()
        .header("X-Api-Key", "k")
        .unwrap()
        .read_header("x-total");
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert!(!v.allowed);
    assert_eq!(v.status, None);
    assert_eq!(
        v.blocked,
        blocked(
            CorsError::HeaderDisallowedByPreflightResponse,
            Some("x-api-key")
        )
    );
    assert_eq!(v.unreadable_requested, vec!["x-total"]);
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "the actual request is never sent"
    );
    assert!(v
        .explain()
        .contains("Request header field x-api-key is not allowed by Access-Control-Allow-Headers"));
}

#[tokio::test]
async fn method_not_listed_and_preflight_status() {
    let req = BrowserRequest::new(PAGE, "DELETE", API).unwrap();
    let script =
        Script::new().preflight(&[ALLOW_PAGE, ("access-control-allow-methods", "GET, PUT")]);
    let (v, _) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert_eq!(
        v.blocked,
        blocked(
            CorsError::MethodDisallowedByPreflightResponse,
            Some("DELETE")
        )
    );
    let mut script =
        Script::new().preflight(&[ALLOW_PAGE, ("access-control-allow-methods", "DELETE")]);
    script.preflight_status = 405;
    let (v, _) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::PreflightInvalidStatus, Some("405"))
    );
    // The CORS check runs before the status check.
    let mut script = Script::new();
    script.preflight_status = 403;
    let (v, _) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::PreflightMissingAllowOriginHeader, None)
    );
}

#[tokio::test]
async fn actual_response_without_acao_is_blocked_but_was_sent() {
    let script = Script::new().actual(&[("x-total", "3")]);
    let req = BrowserRequest::new(PAGE, "POST", API)
        .unwrap()
        .header("Content-Type", "text/plain;charset=UTF-8")
        .unwrap();
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert_eq!(v.preflight, Preflight::NotNeeded);
    assert_eq!(v.status, Some(StatusCode::OK));
    assert_eq!(
        v.blocked,
        blocked(CorsError::MissingAllowOriginHeader, None)
    );
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn credentials_need_exact_origin_and_acac_true() {
    let req = BrowserRequest::new(PAGE, "GET", API)
        .unwrap()
        .credentials(Credentials::Include);
    let star = Script::new().actual(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
    ]);
    let (v, _) = run(&mut Browser::new(Mode::Spec), &star, &req).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::WildcardOriginNotAllowed, Some("*"))
    );
    let no_acac = Script::new().actual(&[ALLOW_PAGE]);
    let (v, _) = run(&mut Browser::new(Mode::Spec), &no_acac, &req).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::InvalidAllowCredentials, Some(""))
    );
    let good = Script::new().actual(&[ALLOW_PAGE, ("access-control-allow-credentials", "true")]);
    let (v, _) = run(&mut Browser::new(Mode::Spec), &good, &req).await;
    assert!(v.allowed, "{}", v.explain());
    // The same `*` response is fine for the default credentials mode.
    let plain = BrowserRequest::new(PAGE, "GET", API).unwrap();
    let (v, _) = run(&mut Browser::new(Mode::Spec), &star, &plain).await;
    assert!(v.allowed);
    // A credentialed preflight needs ACAC on the OPTIONS response as well.
    let put = BrowserRequest::new(PAGE, "PUT", API)
        .unwrap()
        .credentials(Credentials::Include);
    let script = Script::new()
        .preflight(&[ALLOW_PAGE, ("access-control-allow-methods", "PUT")])
        .actual(&[ALLOW_PAGE, ("access-control-allow-credentials", "true")]);
    let (v, _) = run(&mut Browser::new(Mode::Spec), &script, &put).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::PreflightInvalidAllowCredentials, Some(""))
    );
}

#[tokio::test]
async fn preflight_cache_and_virtual_clock() {
    let script = Script::new()
        .preflight(&[
            ALLOW_PAGE,
            ("access-control-allow-methods", "PATCH"),
            ("access-control-max-age", "10"),
        ])
        .actual(&[ALLOW_PAGE]);
    let req = BrowserRequest::new(PAGE, "PATCH", API).unwrap();
    let mut browser = Browser::new(Mode::Chromium);
    let (v, _) = run(&mut browser, &script, &req).await;
    assert!(matches!(v.preflight, Preflight::Sent { .. }));
    browser.advance(Duration::from_secs(9));
    let (v, log) = run(&mut browser, &script, &req).await;
    assert_eq!(v.preflight, Preflight::Cached);
    assert!(v.allowed);
    assert_eq!(log.lock().unwrap().len(), 1, "only the actual request");
    // Another URL (even another query) is another cache key.
    let other = BrowserRequest::new(PAGE, "PATCH", "http://api.test:8080/items?page=3").unwrap();
    assert!(!browser.preflight_cached(&other));
    browser.advance(Duration::from_secs(1));
    let (v, _) = run(&mut browser, &script, &req).await;
    assert!(matches!(v.preflight, Preflight::Sent { .. }));
}

#[tokio::test]
async fn max_age_cap_and_unparsable_values() {
    let req = BrowserRequest::new(PAGE, "PUT", API).unwrap();
    let with_age = |age: &'static str| {
        Script::new()
            .preflight(&[
                ALLOW_PAGE,
                ("access-control-allow-methods", "PUT"),
                ("access-control-max-age", age),
            ])
            .actual(&[ALLOW_PAGE])
    };
    // Chromium caps a day at two hours; the standard imposes no limit.
    for (mode, cached_after_7200s) in [(Mode::Chromium, false), (Mode::Spec, true)] {
        let mut b = Browser::new(mode);
        run(&mut b, &with_age("86400"), &req).await;
        b.advance(Duration::from_secs(7199));
        assert!(b.preflight_cached(&req));
        b.advance(Duration::from_secs(1));
        assert_eq!(b.preflight_cached(&req), cached_after_7200s, "{mode:?}");
    }
    // A negative max-age: Chromium does not cache; the standard uses 5 s.
    let mut chromium = Browser::new(Mode::Chromium);
    run(&mut chromium, &with_age("-1"), &req).await;
    assert!(!chromium.preflight_cached(&req));
    let mut spec = Browser::new(Mode::Spec);
    run(&mut spec, &with_age("-1"), &req).await;
    assert!(spec.preflight_cached(&req));
    spec.advance(Duration::from_secs(5));
    assert!(!spec.preflight_cached(&req));
    // No max-age at all: 5 s in both.
    let script = Script::new()
        .preflight(&[ALLOW_PAGE, ("access-control-allow-methods", "PUT")])
        .actual(&[ALLOW_PAGE]);
    for mode in [Mode::Spec, Mode::Chromium] {
        let mut b = Browser::new(mode);
        run(&mut b, &script, &req).await;
        b.advance(Duration::from_secs(4));
        assert!(b.preflight_cached(&req));
        b.advance(Duration::from_secs(1));
        assert!(!b.preflight_cached(&req));
    }
}

#[tokio::test]
async fn credentialed_cache_entry_serves_plain_requests_only_one_way() {
    let script = Script::new()
        .preflight(&[
            ALLOW_PAGE,
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-max-age", "60"),
        ])
        .actual(&[ALLOW_PAGE, ("access-control-allow-credentials", "true")]);
    let plain = BrowserRequest::new(PAGE, "PUT", API).unwrap();
    let cred = plain.clone().credentials(Credentials::Include);
    for mode in [Mode::Spec, Mode::Chromium] {
        let mut b = Browser::new(mode);
        run(&mut b, &script, &cred).await;
        assert!(b.preflight_cached(&plain));
        let mut b = Browser::new(mode);
        run(&mut b, &script, &plain).await;
        assert!(b.preflight_cached(&plain));
        assert!(!b.preflight_cached(&cred));
        let (v, _) = run(&mut b, &script, &cred).await;
        assert!(matches!(v.preflight, Preflight::Sent { .. }), "{mode:?}");
    }
}

#[tokio::test]
async fn wildcard_allow_headers_and_authorization() {
    let script = Script::new()
        .preflight(&[ALLOW_PAGE, ("access-control-allow-headers", "*")])
        .actual(&[ALLOW_PAGE]);
    let req = BrowserRequest::new(PAGE, "GET", API)
        .unwrap()
        .header("Authorization", "Bearer t")
        .unwrap()
        .header("X-Trace", "1")
        .unwrap();
    let (v, _) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert_eq!(
        v.blocked,
        blocked(
            CorsError::HeaderDisallowedByPreflightResponse,
            Some("authorization")
        )
    );
    let (v, _) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert!(v.allowed);
    assert_eq!(
        v.preflight,
        Preflight::Sent {
            method: "GET".into(),
            headers: Some("authorization,x-trace".into())
        }
    );
}

#[tokio::test]
async fn preflight_redirect_and_service_errors() {
    let mut script =
        Script::new().preflight(&[ALLOW_PAGE, ("location", "http://api.test:8080/login")]);
    script.preflight_status = 307;
    let req = BrowserRequest::new(PAGE, "PUT", API).unwrap();
    let (v, _) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert_eq!(
        v.blocked,
        blocked(
            CorsError::PreflightDisallowedRedirect,
            Some("http://api.test:8080/login")
        )
    );

    let mut failing =
        service_fn(|_: Request<()>| async { Err::<Response<()>, _>("connection reset") });
    // A service error is a network error without a CORS error, as a reset
    // connection is in Chromium.
    let v = Browser::new(Mode::Spec).fetch(&mut failing, &req).await;
    assert_eq!(v.blocked, None);
    assert!(!v.allowed);
    assert_eq!(
        v.network_error,
        Some(NetworkError::Failed("connection reset".into()))
    );
    assert!(matches!(v.preflight, Preflight::Sent { .. }));
    let simple = BrowserRequest::new(PAGE, "GET", API).unwrap();
    let v = Browser::new(Mode::Spec).fetch(&mut failing, &simple).await;
    assert_eq!(
        v.network_error,
        Some(NetworkError::Failed("connection reset".into()))
    );
    assert_eq!(v.status, None);
    assert!(v.explain().contains("connection reset (net::ERR_FAILED)"));
}

#[tokio::test]
async fn same_origin_needs_no_cors_and_other_schemes_are_refused() {
    let script = Script::new().actual(&[("x-a", "1"), ("set-cookie", "s=1")]);
    let req = BrowserRequest::new("http://api.test:8080", "DELETE", API)
        .unwrap()
        .header("X-Custom", "1")
        .unwrap()
        .read_header("x-a");
    let (v, log) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert!(v.allowed);
    assert_eq!(v.preflight, Preflight::NotNeeded);
    assert_eq!(v.readable_headers, vec!["x-a"]);
    assert!(v.unreadable_requested.is_empty());
    {
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 1);
        // Same-origin DELETE still carries Origin (it is not GET or HEAD).
        assert_eq!(header(&log[0].2, "origin"), Some("http://api.test:8080"));
    }

    let ftp = BrowserRequest::new(PAGE, "GET", "ftp://files.test/a").unwrap();
    let (v, log) = run(&mut Browser::new(Mode::Spec), &script, &ftp).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::CorsDisabledScheme, Some("ftp"))
    );
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn null_origin_and_expose_star() {
    let script = Script::new().actual(&[
        ("access-control-allow-origin", "null"),
        ("access-control-expose-headers", "*"),
        ("x-a", "1"),
        ("set-cookie", "s=1"),
    ]);
    let req = BrowserRequest::new("null", "GET", API).unwrap();
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert!(v.allowed);
    assert_eq!(
        v.readable_headers,
        vec![
            "access-control-allow-origin",
            "access-control-expose-headers",
            "x-a"
        ]
    );
    assert_eq!(header(&log.lock().unwrap()[0].2, "origin"), Some("null"));
    let from_page = BrowserRequest::new(PAGE, "GET", API).unwrap();
    let (v, _) = run(&mut Browser::new(Mode::Chromium), &script, &from_page).await;
    assert_eq!(
        v.blocked,
        blocked(CorsError::AllowOriginMismatch, Some("null"))
    );
}

#[tokio::test]
async fn chromium_sends_repeated_headers_as_one_line() {
    let script = Script::new()
        .preflight(&[ALLOW_PAGE, ("access-control-allow-headers", "x-tag")])
        .actual(&[ALLOW_PAGE]);
    let req = BrowserRequest::new(PAGE, "GET", API)
        .unwrap()
        .header("X-Tag", "a")
        .unwrap()
        .header("X-Tag", "b")
        .unwrap();
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &script, &req).await;
    assert!(v.allowed);
    let values: Vec<_> = log.lock().unwrap()[1]
        .2
        .get_all("x-tag")
        .iter()
        .cloned()
        .collect();
    assert_eq!(values, vec![HeaderValue::from_static("a, b")]);
    let (_, log) = run(&mut Browser::new(Mode::Spec), &script, &req).await;
    assert_eq!(log.lock().unwrap()[1].2.get_all("x-tag").iter().count(), 2);
}
