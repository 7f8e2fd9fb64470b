//! The browser model following redirects (Fetch, HTTP-redirect fetch), streaming bodies and the
//! preflight cache after a failure, against an in-process service that routes by `Host` and path.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use tower::service_fn;
use tower_cors::check::{
    BodyKind, Browser, BrowserRequest, CorsError, Credentials, Mode, NetworkError, Preflight,
    Verdict,
};

const PAGE: &str = "http://localhost:3000";
const API: &str = "http://api.test";
const OTHER: &str = "http://other.test";

/// One request as the service saw it.
#[derive(Debug, Clone)]
struct Seen {
    /// `METHOD host/path?query`.
    line: String,
    headers: HeaderMap,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Answers by `"host/path"`: `routes` for requests, `preflights` for OPTIONS with ACRM.
#[derive(Clone, Default)]
struct Routes {
    routes: HashMap<String, (u16, Vec<(String, String)>)>,
    preflights: HashMap<String, (u16, Vec<(String, String)>)>,
}

impl Routes {
    fn new() -> Self {
        Routes::default()
    }
    fn route(mut self, at: &str, status: u16, headers: &[(&str, &str)]) -> Self {
        self.routes.insert(at.to_owned(), (status, owned(headers)));
        self
    }
    fn preflight(mut self, at: &str, status: u16, headers: &[(&str, &str)]) -> Self {
        self.preflights
            .insert(at.to_owned(), (status, owned(headers)));
        self
    }
}

fn owned(h: &[(&str, &str)]) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

async fn run(browser: &mut Browser, routes: &Routes, req: &BrowserRequest) -> (Verdict, Vec<Seen>) {
    let log: Log = Log::default();
    let seen = log.clone();
    let routes = routes.clone();
    let mut service = service_fn(move |r: Request<()>| {
        let host = r.headers()["host"].to_str().unwrap().to_owned();
        let at = format!("{host}{}", r.uri());
        seen.lock().unwrap().push(Seen {
            line: format!("{} {at}", r.method()),
            headers: r.headers().clone(),
        });
        let preflight =
            r.method() == "OPTIONS" && r.headers().contains_key("access-control-request-method");
        let table = if preflight {
            &routes.preflights
        } else {
            &routes.routes
        };
        let mut res = Response::new(());
        match table.get(&at) {
            Some((status, headers)) => {
                *res.status_mut() = StatusCode::from_u16(*status).unwrap();
                for (n, v) in headers {
                    res.headers_mut().append(
                        http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                        HeaderValue::from_str(v).unwrap(),
                    );
                }
            }
            None => *res.status_mut() = StatusCode::NOT_FOUND,
        }
        async move { Ok::<_, Infallible>(res) }
    });
    let verdict = browser.fetch(&mut service, req).await;
    let log = log.lock().unwrap().clone();
    (verdict, log)
}

fn lines(log: &[Seen]) -> Vec<&str> {
    log.iter().map(|s| s.line.as_str()).collect()
}

const ACAO_PAGE: (&str, &str) = ("access-control-allow-origin", PAGE);
const ACAO_STAR: (&str, &str) = ("access-control-allow-origin", "*");
const ACAO_NULL: (&str, &str) = ("access-control-allow-origin", "null");

fn both() -> [Browser; 2] {
    [Browser::new(Mode::Spec), Browser::new(Mode::Chromium)]
}

#[tokio::test]
async fn each_hop_gets_a_cors_check() {
    let req = BrowserRequest::new(PAGE, "GET", &format!("{API}/a")).unwrap();
    for mut b in both() {
        // Both hops allow the page: the final response is the target's.
        let routes = Routes::new()
            .route("api.test/a", 307, &[ACAO_PAGE, ("location", "/b")])
            .route("api.test/b", 200, &[ACAO_PAGE]);
        let (v, log) = run(&mut b, &routes, &req).await;
        assert!(v.allowed, "{}", v.explain());
        assert_eq!(v.status, Some(StatusCode::OK));
        assert_eq!(lines(&log), ["GET api.test/a", "GET api.test/b"]);
        assert_eq!(log[1].header("origin"), Some(PAGE));
        assert_eq!(v.redirects.len(), 1);
        let r = &v.redirects[0];
        assert_eq!(
            (
                r.status.as_u16(),
                r.from.as_str(),
                r.to.as_str(),
                r.origin.as_str()
            ),
            (307, "http://api.test/a", "http://api.test/b", PAGE)
        );
        assert!(v
            .explain()
            .contains("Redirected (307) to http://api.test/b"));

        // The target without ACAO: blocked on the second hop.
        let routes = Routes::new()
            .route("api.test/a", 302, &[ACAO_PAGE, ("location", "/b")])
            .route("api.test/b", 200, &[]);
        let (v, log) = run(&mut b, &routes, &req).await;
        assert_eq!(
            v.blocked.map(|b| b.error),
            Some(CorsError::MissingAllowOriginHeader)
        );
        assert_eq!(log.len(), 2);

        // The redirect itself without ACAO: blocked, the target is never requested.
        let routes = Routes::new()
            .route("api.test/a", 302, &[("location", "/b")])
            .route("api.test/b", 200, &[ACAO_PAGE]);
        let (v, log) = run(&mut b, &routes, &req).await;
        assert_eq!(
            v.blocked.map(|b| b.error),
            Some(CorsError::MissingAllowOriginHeader)
        );
        assert_eq!(v.status, Some(StatusCode::FOUND));
        assert!(v.redirects.is_empty());
        assert_eq!(lines(&log), ["GET api.test/a"]);

        // A 3xx without Location is a final response like any other.
        let routes = Routes::new().route("api.test/a", 304, &[ACAO_PAGE]);
        let (v, _) = run(&mut b, &routes, &req).await;
        assert_eq!(v.status, Some(StatusCode::NOT_MODIFIED));
        assert!(v.allowed);
    }
}

#[tokio::test]
async fn same_origin_redirects_need_no_cors_until_they_leave() {
    // A same-origin request redirected to another origin: from there on it is a CORS request
    // (Origin sent, CORS check), but not tainted (the previous URL was the page's origin).
    let req = BrowserRequest::new(PAGE, "GET", &format!("{PAGE}/start")).unwrap();
    let routes = Routes::new()
        .route(
            "localhost:3000/start",
            302,
            &[("location", "http://api.test/x")],
        )
        .route("api.test/x", 200, &[ACAO_PAGE]);
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &routes, &req).await;
    assert!(v.allowed, "{}", v.explain());
    assert_eq!(log[0].header("origin"), None);
    assert_eq!(log[1].header("origin"), Some(PAGE));
    assert_eq!(v.redirects[0].origin, PAGE);
}

#[tokio::test]
async fn a_hop_to_another_origin_taints_the_origin_to_null() {
    let req = BrowserRequest::new(PAGE, "GET", &format!("{API}/a"))
        .unwrap()
        .read_header("x-a");
    for mut b in both() {
        let routes = Routes::new()
            .route(
                "api.test/a",
                302,
                &[ACAO_PAGE, ("location", "http://other.test/b")],
            )
            .route("other.test/b", 200, &[ACAO_PAGE]);
        let (v, log) = run(&mut b, &routes, &req).await;
        assert_eq!(log[1].header("origin"), Some("null"));
        assert_eq!(v.redirects[0].origin, "null");
        assert_eq!(
            v.blocked.map(|b| (b.error, b.detail)),
            Some((CorsError::AllowOriginMismatch, Some(PAGE.to_owned())))
        );
        for acao in [ACAO_NULL, ACAO_STAR] {
            let routes = Routes::new()
                .route(
                    "api.test/a",
                    302,
                    &[ACAO_PAGE, ("location", "http://other.test/b")],
                )
                .route(
                    "other.test/b",
                    200,
                    &[acao, ("access-control-expose-headers", "x-a"), ("x-a", "1")],
                );
            let (v, _) = run(&mut b, &routes, &req).await;
            assert!(v.allowed, "{}", v.explain());
            assert_eq!(v.readable_headers, ["x-a"]);
        }
        // Taint sticks: a further hop back to api.test still sends `null`, and a hop back to
        // the page's own origin is still a CORS request.
        let routes = Routes::new()
            .route(
                "api.test/a",
                302,
                &[ACAO_PAGE, ("location", "http://other.test/b")],
            )
            .route(
                "other.test/b",
                302,
                &[ACAO_STAR, ("location", "http://localhost:3000/c")],
            )
            .route("localhost:3000/c", 200, &[]);
        let (v, log) = run(&mut b, &routes, &req).await;
        assert_eq!(log[2].header("origin"), Some("null"));
        assert_eq!(
            v.blocked.map(|b| b.error),
            Some(CorsError::MissingAllowOriginHeader)
        );
    }
    // Credentials: a tainted request needs `ACAO: null` and ACAC (never `*`).
    let cred = req.clone().credentials(Credentials::Include);
    let routes = Routes::new()
        .route(
            "api.test/a",
            302,
            &[
                ACAO_PAGE,
                ("access-control-allow-credentials", "true"),
                ("location", "http://other.test/b"),
            ],
        )
        .route(
            "other.test/b",
            200,
            &[ACAO_NULL, ("access-control-allow-credentials", "true")],
        );
    let (v, _) = run(&mut Browser::new(Mode::Chromium), &routes, &cred).await;
    assert!(v.allowed, "{}", v.explain());
}

#[tokio::test]
async fn methods_are_rewritten_by_301_302_and_303() {
    let cases = [
        ("POST", 301, "GET"),
        ("POST", 302, "GET"),
        ("POST", 303, "GET"),
        ("POST", 307, "POST"),
        ("POST", 308, "POST"),
        ("PUT", 302, "PUT"),
        ("PUT", 303, "GET"),
        ("DELETE", 303, "GET"),
        ("HEAD", 303, "HEAD"),
        ("GET", 303, "GET"),
    ];
    for (method, status, then) in cases {
        let req = BrowserRequest::new(PAGE, method, &format!("{API}/a"))
            .unwrap()
            .header("Content-Type", "text/plain")
            .unwrap()
            .header("Content-Language", "en")
            .unwrap()
            .body(BodyKind::Bytes);
        let allow = [
            ACAO_PAGE,
            ("access-control-allow-methods", "PUT, DELETE"),
            ("access-control-max-age", "60"),
        ];
        let routes = Routes::new()
            .preflight("api.test/a", 204, &allow)
            .preflight("api.test/b", 204, &allow)
            .route("api.test/a", status, &[ACAO_PAGE, ("location", "/b")])
            .route("api.test/b", 200, &[ACAO_PAGE]);
        let (v, log) = run(&mut Browser::new(Mode::Spec), &routes, &req).await;
        assert!(v.allowed, "{method} {status}: {}", v.explain());
        let last = log.last().unwrap();
        assert_eq!(last.line, format!("{then} api.test/b"), "{method} {status}");
        assert_eq!(v.redirects[0].method, then);
        // Turning into GET drops the body and its headers.
        let rewritten = then == "GET" && method != "GET";
        assert_eq!(
            last.header("content-type").is_none(),
            rewritten,
            "{method} {status}"
        );
        assert_eq!(last.header("content-language").is_none(), rewritten);
    }
}

#[tokio::test]
async fn each_hop_gets_its_own_preflight() {
    let req = BrowserRequest::new(PAGE, "PUT", &format!("{API}/a")).unwrap();
    let allow = [ACAO_PAGE, ("access-control-allow-methods", "PUT")];
    let routes = Routes::new()
        .preflight("api.test/a", 204, &allow)
        .preflight("api.test/b", 204, &allow)
        .route("api.test/a", 307, &[ACAO_PAGE, ("location", "/b")])
        .route("api.test/b", 200, &[ACAO_PAGE]);
    let mut browser = Browser::new(Mode::Chromium);
    let (v, log) = run(&mut browser, &routes, &req).await;
    assert!(v.allowed, "{}", v.explain());
    assert_eq!(
        lines(&log),
        [
            "OPTIONS api.test/a",
            "PUT api.test/a",
            "OPTIONS api.test/b",
            "PUT api.test/b"
        ]
    );
    let sent = Preflight::Sent {
        method: "PUT".into(),
        headers: None,
    };
    assert_eq!(v.preflight, sent);
    assert_eq!(v.redirects[0].preflight, sent);
    // Both URLs are now in the cache (5 s default).
    let (v, log) = run(&mut browser, &routes, &req).await;
    assert_eq!(v.preflight, Preflight::Cached);
    assert_eq!(v.redirects[0].preflight, Preflight::Cached);
    assert_eq!(lines(&log), ["PUT api.test/a", "PUT api.test/b"]);
    // The hop's preflight failing blocks with the preflight's reason.
    let routes = Routes::new()
        .preflight("api.test/a", 204, &allow)
        .preflight("api.test/c", 204, &[ACAO_PAGE])
        .route("api.test/a", 307, &[ACAO_PAGE, ("location", "/c")]);
    let (v, log) = run(&mut Browser::new(Mode::Chromium), &routes, &req).await;
    assert_eq!(
        v.blocked.map(|b| b.error),
        Some(CorsError::MethodDisallowedByPreflightResponse)
    );
    assert_eq!(lines(&log).last(), Some(&"OPTIONS api.test/c"));
}

#[tokio::test]
async fn a_hop_to_another_origin_drops_authorization() {
    let req = BrowserRequest::new(PAGE, "GET", &format!("{API}/a"))
        .unwrap()
        .header("Authorization", "Bearer t")
        .unwrap();
    let allow = [ACAO_PAGE, ("access-control-allow-headers", "authorization")];
    for (location, dropped) in [("/b", false), ("http://other.test/b", true)] {
        let routes = Routes::new()
            .preflight("api.test/a", 204, &allow)
            .preflight("api.test/b", 204, &allow)
            .route("api.test/a", 302, &[ACAO_PAGE, ("location", location)])
            .route("api.test/b", 200, &[ACAO_PAGE])
            .route("other.test/b", 200, &[ACAO_STAR]);
        let (v, log) = run(&mut Browser::new(Mode::Chromium), &routes, &req).await;
        assert!(v.allowed, "{location}: {}", v.explain());
        let last = log.last().unwrap();
        assert_eq!(
            last.header("authorization").is_none(),
            dropped,
            "{location}"
        );
        assert_eq!(v.redirects[0].dropped_authorization, dropped);
        // Without Authorization the GET to other.test is simple: no preflight there.
        if dropped {
            assert_eq!(v.redirects[0].preflight, Preflight::NotNeeded);
            assert!(v.explain().contains("Authorization dropped"));
        }
    }
}

#[tokio::test]
async fn location_with_userinfo_is_blocked() {
    let req = BrowserRequest::new(PAGE, "GET", &format!("{API}/a")).unwrap();
    for mut b in both() {
        let routes = Routes::new()
            .route(
                "api.test/a",
                302,
                &[ACAO_PAGE, ("location", "http://u:p@api.test/b")],
            )
            .route("api.test/b", 200, &[ACAO_PAGE]);
        let (v, log) = run(&mut b, &routes, &req).await;
        let blocked = v.blocked.clone().unwrap();
        assert_eq!(blocked.error, CorsError::RedirectContainsCredentials);
        assert_eq!(blocked.detail.as_deref(), Some("http://u:p@api.test/b"));
        assert_eq!(log.len(), 1);
        assert!(v.explain().contains("contains a username and password"));
    }
    // Same-origin all along (no CORS), to the page's own origin: followed, userinfo dropped.
    let same = BrowserRequest::new(PAGE, "GET", &format!("{PAGE}/a")).unwrap();
    let routes = Routes::new()
        .route(
            "localhost:3000/a",
            302,
            &[("location", "http://u@localhost:3000/b")],
        )
        .route("localhost:3000/b", 200, &[]);
    let (v, log) = run(&mut Browser::new(Mode::Spec), &routes, &same).await;
    assert!(v.allowed, "{}", v.explain());
    assert_eq!(
        lines(&log),
        ["GET localhost:3000/a", "GET localhost:3000/b"]
    );
}

#[tokio::test]
async fn at_most_twenty_redirects() {
    let req = BrowserRequest::new(PAGE, "GET", &format!("{API}/loop")).unwrap();
    for mut b in both() {
        let routes = Routes::new().route("api.test/loop", 302, &[ACAO_PAGE, ("location", "/loop")]);
        let (v, log) = run(&mut b, &routes, &req).await;
        assert!(!v.allowed);
        assert_eq!(v.blocked, None);
        assert_eq!(v.network_error, Some(NetworkError::TooManyRedirects));
        assert_eq!(log.len(), 21, "the first request and 20 redirects");
        assert_eq!(v.redirects.len(), 20);
        assert!(v
            .explain()
            .starts_with("Failed without a CORS error: too many redirects"));
    }
}

#[tokio::test]
async fn unusable_locations_are_network_errors() {
    let req = BrowserRequest::new(PAGE, "GET", &format!("{API}/a")).unwrap();
    for (location, error) in [
        (
            "ftp://files.test/x",
            NetworkError::UnsafeRedirect("ftp://files.test/x".into()),
        ),
        (
            "http://bad host/",
            NetworkError::InvalidRedirect("http://bad host/".into()),
        ),
    ] {
        let with_acao =
            Routes::new().route("api.test/a", 302, &[ACAO_PAGE, ("location", location)]);
        for mut b in both() {
            let (v, log) = run(&mut b, &with_acao, &req).await;
            assert_eq!(v.network_error.as_ref(), Some(&error));
            assert_eq!(log.len(), 1);
        }
        // Without ACAO: the standard runs the CORS check first, Chromium's network stack
        // refuses the location first.
        let without = Routes::new().route("api.test/a", 302, &[("location", location)]);
        let (v, _) = run(&mut Browser::new(Mode::Spec), &without, &req).await;
        assert_eq!(
            v.blocked.map(|b| b.error),
            Some(CorsError::MissingAllowOriginHeader)
        );
        let (v, _) = run(&mut Browser::new(Mode::Chromium), &without, &req).await;
        assert_eq!(v.network_error, Some(error));
    }
}

#[tokio::test]
async fn stream_bodies() {
    let req = BrowserRequest::new(PAGE, "POST", &format!("{API}/up"))
        .unwrap()
        .body(BodyKind::Stream);
    let routes = Routes::new()
        .preflight(
            "api.test/up",
            204,
            &[
                ACAO_PAGE,
                ("access-control-allow-methods", "POST"),
                ("access-control-max-age", "60"),
            ],
        )
        .route("api.test/up", 200, &[ACAO_PAGE]);
    // Standard: preflighted, then sent.
    let (v, log) = run(&mut Browser::new(Mode::Spec), &routes, &req).await;
    assert!(v.allowed, "{}", v.explain());
    assert_eq!(lines(&log), ["OPTIONS api.test/up", "POST api.test/up"]);
    // Chromium: preflighted, then refused over HTTP/1.1 without a CORS error; the preflight
    // result stays cached.
    let mut chromium = Browser::new(Mode::Chromium);
    let (v, log) = run(&mut chromium, &routes, &req).await;
    assert!(!v.allowed);
    assert_eq!(v.blocked, None);
    assert_eq!(v.network_error, Some(NetworkError::StreamUploadOverHttp1));
    assert_eq!(
        v.network_error.as_ref().unwrap().net_error(),
        "net::ERR_ALPN_NEGOTIATION_FAILED"
    );
    assert_eq!(lines(&log), ["OPTIONS api.test/up"]);
    assert!(chromium.preflight_cached(&req));
    // Standard: a stream body cannot follow a 307 (only a 303, which drops it).
    for (status, ok) in [(307, false), (303, true)] {
        let routes = Routes::new()
            .preflight(
                "api.test/up",
                204,
                &[ACAO_PAGE, ("access-control-allow-methods", "POST")],
            )
            .route("api.test/up", status, &[ACAO_PAGE, ("location", "/done")])
            .route("api.test/done", 200, &[ACAO_PAGE]);
        let (v, _) = run(&mut Browser::new(Mode::Spec), &routes, &req).await;
        assert_eq!(v.allowed, ok, "{status}: {}", v.explain());
        if !ok {
            assert_eq!(v.network_error, Some(NetworkError::StreamBodyRedirect));
        }
    }
}

#[tokio::test]
async fn a_failed_actual_response_clears_the_cache_only_in_the_standard() {
    let req = BrowserRequest::new(PAGE, "PUT", &format!("{API}/a")).unwrap();
    let routes = Routes::new()
        .preflight(
            "api.test/a",
            204,
            &[
                ACAO_PAGE,
                ("access-control-allow-methods", "PUT"),
                ("access-control-max-age", "600"),
            ],
        )
        .route("api.test/a", 200, &[]);
    for (mut b, kept) in [
        (Browser::new(Mode::Spec), false),
        (Browser::new(Mode::Chromium), true),
    ] {
        let (v, _) = run(&mut b, &routes, &req).await;
        assert_eq!(
            v.blocked.map(|b| b.error),
            Some(CorsError::MissingAllowOriginHeader)
        );
        assert_eq!(b.preflight_cached(&req), kept, "{:?}", b.mode());
    }
}

#[tokio::test]
async fn cached_star_covers_authorization_only_when_fresh_in_chromium() {
    let routes = Routes::new()
        .preflight(
            "api.test/a",
            204,
            &[
                ACAO_PAGE,
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "*"),
                ("access-control-max-age", "600"),
            ],
        )
        .route("api.test/a", 200, &[ACAO_PAGE]);
    let custom = BrowserRequest::new(PAGE, "PUT", &format!("{API}/a"))
        .unwrap()
        .header("X-A", "1")
        .unwrap();
    let auth = BrowserRequest::new(PAGE, "PUT", &format!("{API}/a"))
        .unwrap()
        .header("Authorization", "Bearer t")
        .unwrap();
    let mut chromium = Browser::new(Mode::Chromium);
    let (v, _) = run(&mut chromium, &routes, &custom).await;
    assert!(v.allowed);
    // The cached `*` does not cover Authorization: preflighted again, and the fresh `*` does.
    let (v, log) = run(&mut chromium, &routes, &auth).await;
    assert!(v.allowed, "{}", v.explain());
    assert!(matches!(v.preflight, Preflight::Sent { .. }));
    assert_eq!(log.len(), 2);
    // The standard: a fresh `*` does not cover it either.
    let mut spec = Browser::new(Mode::Spec);
    run(&mut spec, &routes, &custom).await;
    let (v, _) = run(&mut spec, &routes, &auth).await;
    assert_eq!(
        v.blocked.map(|b| b.error),
        Some(CorsError::HeaderDisallowedByPreflightResponse)
    );
}

#[tokio::test]
async fn other_origins_share_nothing_with_the_target_in_the_cache() {
    // A hop's preflight is cached under the hop's URL and (tainted) origin.
    let req = BrowserRequest::new(PAGE, "PUT", &format!("{API}/a")).unwrap();
    let routes = Routes::new()
        .preflight(
            "api.test/a",
            204,
            &[
                ACAO_PAGE,
                ("access-control-allow-methods", "PUT"),
                ("access-control-max-age", "60"),
            ],
        )
        .preflight(
            "other.test/b",
            204,
            &[
                ACAO_NULL,
                ("access-control-allow-methods", "PUT"),
                ("access-control-max-age", "60"),
            ],
        )
        .route(
            "api.test/a",
            307,
            &[ACAO_PAGE, ("location", "http://other.test/b")],
        )
        .route("other.test/b", 200, &[ACAO_NULL]);
    let mut b = Browser::new(Mode::Chromium);
    let (v, log) = run(&mut b, &routes, &req).await;
    assert!(v.allowed, "{}", v.explain());
    assert_eq!(log[2].header("origin"), Some("null"));
    let direct = BrowserRequest::new(PAGE, "PUT", &format!("{OTHER}/b")).unwrap();
    assert!(
        !b.preflight_cached(&direct),
        "cached for `null`, not for the page"
    );
}
