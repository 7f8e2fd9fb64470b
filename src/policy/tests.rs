//! One test (or more) per row of the semantics table in DESIGN.md, asserting every header the
//! policy writes, byte for byte.

use std::time::Duration;

use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};

use super::*;
use crate::error::{ConfigError, Wildcard};

const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

fn parts(method: &str, headers: &[(&str, &str)]) -> Parts {
    let mut b = Request::builder().method(method).uri("/items");
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.body(()).unwrap().into_parts().0
}

/// All headers, sorted by name, so a test states the whole answer and nothing can sneak in.
fn all(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut v: Vec<_> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    v.sort();
    v
}

fn preflight(
    policy: &CorsPolicy,
    origin: &str,
    method: &str,
    acrh: Option<&str>,
) -> (Decision, http::Response<()>) {
    let mut headers = vec![
        ("origin", origin),
        ("access-control-request-method", method),
    ];
    if let Some(acrh) = acrh {
        headers.push(("access-control-request-headers", acrh));
    }
    let d = policy.evaluate(&parts("OPTIONS", &headers));
    assert_eq!(d.kind(), DecisionKind::Preflight);
    assert!(d.short_circuits());
    let r = policy.respond(&d);
    (d, r)
}

fn actual(policy: &CorsPolicy, method: &str, headers: &[(&str, &str)]) -> (Decision, HeaderMap) {
    let d = policy.evaluate(&parts(method, headers));
    let mut out = HeaderMap::new();
    policy.apply(&d, &mut out);
    (d, out)
}

fn app_policy() -> CorsPolicyBuilder {
    CorsPolicy::builder()
        .allow_origins(["https://app.example.com", "http://localhost:3000"])
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type", "Authorization"])
        .expose_headers(["X-Request-ID"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}

#[test]
fn no_origin_is_not_cors_and_only_varies_on_origin() {
    let policy = app_policy().build().unwrap();
    for method in ["GET", "POST", "OPTIONS"] {
        let (d, headers) = actual(&policy, method, &[("access-control-request-method", "PUT")]);
        assert_eq!(d.kind(), DecisionKind::NotCors);
        assert!(!d.short_circuits());
        assert!(!d.is_allowed());
        assert_eq!(d.rejection(), None);
        assert_eq!(all(&headers), h(&[("vary", "Origin")]));
    }
}

#[test]
fn preflight_needs_options_origin_and_request_method() {
    let policy = app_policy().build().unwrap();
    let origin = ("origin", "https://app.example.com");
    let acrm = ("access-control-request-method", "PUT");
    assert_eq!(
        policy.evaluate(&parts("OPTIONS", &[origin, acrm])).kind(),
        DecisionKind::Preflight
    );
    let plain_options = policy.evaluate(&parts("OPTIONS", &[origin]));
    assert_eq!(plain_options.kind(), DecisionKind::Actual);
    assert!(!plain_options.short_circuits());
    assert_eq!(
        policy.evaluate(&parts("GET", &[origin, acrm])).kind(),
        DecisionKind::Actual
    );
    assert_eq!(
        policy.evaluate(&parts("OPTIONS", &[acrm])).kind(),
        DecisionKind::NotCors
    );
}

#[test]
fn allowed_preflight_answers_204_with_every_header() {
    let policy = app_policy().build().unwrap();
    let (d, r) = preflight(
        &policy,
        "https://app.example.com",
        "PUT",
        Some("authorization,content-type"),
    );
    assert!(d.is_allowed());
    assert_eq!(d.outcome(), "preflight-allowed");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        all(r.headers()),
        h(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
            (
                "access-control-allow-headers",
                "content-type, authorization"
            ),
            ("access-control-max-age", "600"),
            ("vary", PREFLIGHT_VARY),
        ])
    );
}

#[test]
fn preflight_status_is_configurable_and_must_be_2xx() {
    let policy = app_policy()
        .preflight_status(StatusCode::OK)
        .build()
        .unwrap();
    assert_eq!(
        preflight(&policy, "http://localhost:3000", "GET", None)
            .1
            .status(),
        StatusCode::OK
    );
    let err = app_policy()
        .preflight_status(StatusCode::FOUND)
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::InvalidPreflightStatus { status: 302 });
    assert_eq!(
        err.to_string(),
        "preflight_status(302): browsers accept a preflight only with a 2xx status; use 204 (the default) or 200"
    );
}

#[test]
fn preflight_from_disallowed_origin_is_403_with_only_vary() {
    let policy = app_policy().build().unwrap();
    let (d, r) = preflight(
        &policy,
        "https://evil.example",
        "PUT",
        Some("authorization"),
    );
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(all(r.headers()), h(&[("vary", PREFLIGHT_VARY)]));
    assert_eq!(d.outcome(), "preflight-rejected");
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "origin \"https://evil.example\" is not allowed"
    );
    let policy = app_policy()
        .rejection_status(StatusCode::BAD_REQUEST)
        .build()
        .unwrap();
    assert_eq!(
        preflight(&policy, "https://evil.example", "PUT", None)
            .1
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn preflight_with_disallowed_method_lists_what_is_allowed() {
    let policy = app_policy().build().unwrap();
    for method in ["PATCH", "patch", "put"] {
        let (d, r) = preflight(&policy, "https://app.example.com", method, None);
        assert_eq!(
            d.rejection().unwrap().to_string(),
            format!("method \"{method}\" is not allowed")
        );
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            all(r.headers()),
            h(&[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
                (
                    "access-control-allow-headers",
                    "content-type, authorization"
                ),
                ("access-control-max-age", "600"),
                ("vary", PREFLIGHT_VARY),
            ])
        );
    }
}

#[test]
fn safelisted_methods_pass_preflight_as_browsers_never_check_them() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_methods(["PUT"])
        .allow_headers(["x-token"])
        .build()
        .unwrap();
    for method in ["GET", "HEAD", "POST"] {
        let (d, _) = preflight(&policy, "https://a.example", method, Some("x-token"));
        assert!(d.is_allowed(), "{method}");
    }
}

#[test]
fn preflight_with_disallowed_header_names_it() {
    let policy = app_policy().build().unwrap();
    let (d, r) = preflight(
        &policy,
        "https://app.example.com",
        "PUT",
        Some("content-type,x-secret"),
    );
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "request header \"x-secret\" is not allowed"
    );
    let Some(Rejection::HeaderNotAllowed { header }) = d.rejection() else {
        panic!("{d:?}")
    };
    assert_eq!(header.as_bytes(), b"x-secret");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        r.headers()["access-control-allow-headers"],
        "content-type, authorization"
    );
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
}

#[test]
fn request_headers_match_case_insensitively_with_ows_and_empty_items() {
    let policy = app_policy().build().unwrap();
    let (d, _) = preflight(
        &policy,
        "https://app.example.com",
        "PUT",
        Some(" Content-Type ,, AUTHORIZATION,"),
    );
    assert!(d.is_allowed(), "{d:?}");
}

#[test]
fn private_network_access() {
    let pna = ("access-control-request-private-network", "true");
    let base = [
        ("origin", "https://app.example.com"),
        ("access-control-request-method", "GET"),
    ];
    let refused = app_policy().build().unwrap();
    let d = refused.evaluate(&parts("OPTIONS", &[base[0], base[1], pna]));
    assert_eq!(d.rejection(), Some(&Rejection::PrivateNetworkNotAllowed));
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "private network access was requested but is not allowed"
    );
    let r = refused.respond(&d);
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r
        .headers()
        .get("access-control-allow-private-network")
        .is_none());
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );

    let allowed = app_policy().allow_private_network(true).build().unwrap();
    let d = allowed.evaluate(&parts("OPTIONS", &[base[0], base[1], pna]));
    assert!(d.is_allowed());
    let r = allowed.respond(&d);
    assert_eq!(r.headers()["access-control-allow-private-network"], "true");
    assert_eq!(
        r.headers()["vary"],
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"
    );
    // Not asked: not granted.
    let d = allowed.evaluate(&parts("OPTIONS", &base));
    assert!(allowed
        .respond(&d)
        .headers()
        .get("access-control-allow-private-network")
        .is_none());
}

#[test]
fn malformed_preflights_are_rejected_with_a_reason_and_no_cors_headers() {
    let policy = app_policy().build().unwrap();
    let origin = ("origin", "https://app.example.com");
    let cases: Vec<(Vec<(&str, &str)>, Rejection)> = vec![
        (
            vec![
                origin,
                ("origin", "https://other.example"),
                ("access-control-request-method", "GET"),
            ],
            Rejection::Malformed(Malformed::SeveralOrigins),
        ),
        (
            vec![
                origin,
                ("access-control-request-method", "GET"),
                ("access-control-request-method", "PUT"),
            ],
            Rejection::Malformed(Malformed::SeveralRequestMethods),
        ),
        (
            vec![origin, ("access-control-request-method", "")],
            Rejection::Malformed(Malformed::InvalidRequestMethod {
                method: HeaderValue::from_static(""),
            }),
        ),
        (
            vec![origin, ("access-control-request-method", "GET PUT")],
            Rejection::Malformed(Malformed::InvalidRequestMethod {
                method: HeaderValue::from_static("GET PUT"),
            }),
        ),
    ];
    for (headers, want) in cases {
        let d = policy.evaluate(&parts("OPTIONS", &headers));
        assert_eq!(d.rejection(), Some(&want));
        let r = policy.respond(&d);
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(all(r.headers()), h(&[("vary", PREFLIGHT_VARY)]));
    }
    let long = "x,".repeat(3000);
    let (d, r) = preflight(&policy, "https://app.example.com", "PUT", Some(&long));
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "malformed CORS request: Access-Control-Request-Headers is 6000 bytes long, over the limit of 4096"
    );
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (d, _) = preflight(
        &policy,
        "https://app.example.com",
        "PUT",
        Some("content-type, x\"y"),
    );
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "malformed CORS request: Access-Control-Request-Headers item \"x\\\"y\" is not a header name"
    );
    let limited = app_policy()
        .allow_any_header()
        .request_header_limits(100, 2)
        .build()
        .unwrap();
    let (d, _) = preflight(&limited, "https://app.example.com", "PUT", Some("a,b,c"));
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "malformed CORS request: Access-Control-Request-Headers names more than 2 headers"
    );
}

#[test]
fn allowed_actual_request_gets_origin_byte_for_byte_credentials_and_expose() {
    let policy = app_policy().build().unwrap();
    let (d, headers) = actual(&policy, "GET", &[("origin", "http://localhost:3000")]);
    assert!(d.is_allowed());
    assert_eq!(d.outcome(), "allowed");
    assert_eq!(d.allow_origin().unwrap(), "http://localhost:3000");
    assert_eq!(
        all(&headers),
        h(&[
            ("access-control-allow-origin", "http://localhost:3000"),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "x-request-id"),
            ("vary", "Origin"),
        ])
    );
}

#[test]
fn inner_cors_headers_are_replaced_unless_kept_on_request() {
    let stale = |h: &mut HeaderMap| {
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        h.insert(
            "access-control-allow-methods",
            HeaderValue::from_static("TRACE"),
        );
    };
    let policy = app_policy().build().unwrap();
    let d = policy.evaluate(&parts("GET", &[("origin", "https://app.example.com")]));
    let mut headers = HeaderMap::new();
    stale(&mut headers);
    policy.apply(&d, &mut headers);
    assert_eq!(
        all(&headers),
        h(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "x-request-id"),
            ("vary", "Origin"),
        ])
    );
    // A disallowed origin: the inner service's grant is removed too.
    let d = policy.evaluate(&parts("GET", &[("origin", "https://evil.example")]));
    let mut headers = HeaderMap::new();
    stale(&mut headers);
    policy.apply(&d, &mut headers);
    assert_eq!(all(&headers), h(&[("vary", "Origin")]));

    let keeping = app_policy().keep_inner_cors_headers(true).build().unwrap();
    let mut headers = HeaderMap::new();
    stale(&mut headers);
    keeping.apply(&d, &mut headers);
    assert_eq!(
        all(&headers),
        h(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "TRACE"),
            ("vary", "Origin"),
        ])
    );
}

#[test]
fn disallowed_actual_request_reaches_inner_with_only_vary_or_is_refused() {
    let policy = app_policy().build().unwrap();
    let (d, headers) = actual(&policy, "GET", &[("origin", "https://evil.example")]);
    assert!(!d.short_circuits());
    assert_eq!(d.outcome(), "rejected");
    assert_eq!(all(&headers), h(&[("vary", "Origin")]));

    let refusing = app_policy()
        .refuse_disallowed_origins(true)
        .build()
        .unwrap();
    let d = refusing.evaluate(&parts("GET", &[("origin", "https://evil.example")]));
    assert!(d.short_circuits());
    assert_eq!(d.outcome(), "refused");
    let r = refusing.respond(&d);
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(all(r.headers()), h(&[("vary", "Origin")]));
    // Allowed origins still reach the inner service.
    assert!(!refusing
        .evaluate(&parts("GET", &[("origin", "https://app.example.com")]))
        .short_circuits());
}

#[test]
fn any_origin_answers_star_without_credentials() {
    let policy = CorsPolicy::builder().allow_any_origin().build().unwrap();
    let (d, headers) = actual(&policy, "GET", &[("origin", "https://anyone.example")]);
    assert_eq!(d.allow_origin().unwrap(), "*");
    assert_eq!(
        all(&headers),
        h(&[("access-control-allow-origin", "*"), ("vary", "Origin")])
    );
    let in_list = CorsPolicy::builder().allow_origins(["*"]).build().unwrap();
    assert_eq!(
        actual(&in_list, "GET", &[("origin", "null")]).1["access-control-allow-origin"],
        "*"
    );
}

#[test]
fn star_with_credentials_is_a_config_error_and_reflection_needs_a_dangerous_name() {
    for b in [
        CorsPolicy::builder().allow_any_origin(),
        CorsPolicy::builder().allow_origins(["*"]),
    ] {
        let err = b.allow_credentials(true).build().unwrap_err();
        assert_eq!(
            err,
            ConfigError::WildcardWithCredentials {
                wildcard: Wildcard::Origins
            }
        );
        assert!(
            err.to_string().contains("dangerously_reflect_any_origin()"),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("allow_origins([\"https://app.example.com\"])"),
            "{err}"
        );
    }
    let reflect = CorsPolicy::builder()
        .dangerously_reflect_any_origin()
        .allow_credentials(true)
        .build()
        .unwrap();
    let (_, headers) = actual(
        &reflect,
        "GET",
        &[("origin", "https://anyone.example:8443")],
    );
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://anyone.example:8443"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    // Never a malformed value, never null.
    for bad in [
        "null",
        "https://Anyone.example",
        "https://a.example/",
        "not an origin",
    ] {
        let (d, headers) = actual(&reflect, "GET", &[("origin", bad)]);
        assert!(!d.is_allowed(), "{bad}");
        assert_eq!(all(&headers), h(&[("vary", "Origin")]));
    }
}

#[test]
fn exact_origins_are_normalised_at_build_and_compared_as_sent() {
    let policy = CorsPolicy::builder()
        .allow_origins(["HTTPS://App.Example.com:443/"])
        .build()
        .unwrap();
    assert!(policy
        .evaluate(&parts("GET", &[("origin", "https://app.example.com")]))
        .is_allowed());
    for other in [
        "https://APP.example.com",
        "https://app.example.com:443",
        "https://app.example.com/",
        "http://app.example.com",
    ] {
        assert!(
            !policy
                .evaluate(&parts("GET", &[("origin", other)]))
                .is_allowed(),
            "{other}"
        );
    }
}

#[test]
fn ten_thousand_exact_origins() {
    let origins: Vec<String> = (0..10_000)
        .map(|i| format!("https://tenant{i}.example.com"))
        .collect();
    let policy = CorsPolicy::builder()
        .allow_origins(&origins)
        .build()
        .unwrap();
    assert!(policy
        .evaluate(&parts(
            "GET",
            &[("origin", "https://tenant9999.example.com")]
        ))
        .is_allowed());
    assert!(policy
        .evaluate(&parts("GET", &[("origin", "https://tenant0.example.com")]))
        .is_allowed());
    assert!(!policy
        .evaluate(&parts(
            "GET",
            &[("origin", "https://tenant10000.example.com")]
        ))
        .is_allowed());
}

#[test]
fn patterns_regexes_and_predicates() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://*.example.com"])
        .allow_origin_regex(r"https://[a-z]+\.example\.org")
        .allow_origin_fn(|origin, _| origin.as_bytes().ends_with(b".tenant.test"))
        .build()
        .unwrap();
    let allowed = |o: &str| {
        policy
            .evaluate(&parts("GET", &[("origin", o)]))
            .is_allowed()
    };
    assert!(allowed("https://a.example.com"));
    assert!(allowed("https://a.b.example.com"));
    assert!(!allowed("https://example.com"));
    assert!(!allowed("https://a.example.com.evil.net"));
    assert!(allowed("https://app.example.org"));
    assert!(!allowed("https://app.example.org.evil.net"));
    assert!(!allowed("https://evil.net/https://app.example.org"));
    assert!(allowed("https://x.tenant.test"));
    assert!(!allowed("null"));
}

#[test]
fn regex_with_its_own_anchors_still_full_matches() {
    let policy = CorsPolicy::builder()
        .allow_origin_regex(r"^https://.*\.myapp\.com")
        .build()
        .unwrap();
    let allowed = |o: &str| {
        policy
            .evaluate(&parts("GET", &[("origin", o)]))
            .is_allowed()
    };
    assert!(allowed("https://a.myapp.com"));
    assert!(!allowed("https://a.myapp.com.evil.net"));
}

#[test]
fn null_only_when_listed() {
    let open = CorsPolicy::builder()
        .allow_origins(["https://*.example.com"])
        .allow_origin_regex(".*")
        .allow_origin_fn(|_, _| true)
        .build()
        .unwrap();
    assert!(!open
        .evaluate(&parts("GET", &[("origin", "null")]))
        .is_allowed());
    let listed = CorsPolicy::builder()
        .allow_origins(["null"])
        .build()
        .unwrap();
    let (d, headers) = actual(&listed, "GET", &[("origin", "null")]);
    assert!(d.is_allowed());
    assert_eq!(headers["access-control-allow-origin"], "null");
}

#[test]
fn methods_are_normalised_like_fetch() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_methods(["get", "put", "patch", "Delete"])
        .build()
        .unwrap();
    let (d, r) = preflight(&policy, "https://a.example", "patch", None);
    assert!(d.is_allowed());
    assert_eq!(
        r.headers()["access-control-allow-methods"],
        "GET, PUT, patch, DELETE"
    );
    assert!(preflight(&policy, "https://a.example", "PUT", None)
        .0
        .is_allowed());
    assert!(!preflight(&policy, "https://a.example", "PATCH", None)
        .0
        .is_allowed());
}

/// Regression (found by tests/properties.rs): with credentials and any method or header, a
/// preflight asking for a method or header literally named `*` was answered
/// `Access-Control-Allow-Methods: *` (or `-Headers: *`) next to
/// `Access-Control-Allow-Credentials: true`. Spec browsers read that `*` literally, but the
/// policy promises never to send a wildcard with credentials; the request is now rejected.
#[test]
fn any_method_and_header_never_echo_a_wildcard_with_credentials() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_any_method()
        .allow_any_header()
        .allow_credentials(true)
        .build()
        .unwrap();
    let (d, r) = preflight(&policy, "https://a.example", "*", None);
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "method \"*\" is not allowed"
    );
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        all(r.headers()),
        h(&[
            ("access-control-allow-origin", "https://a.example"),
            ("access-control-allow-credentials", "true"),
            ("vary", PREFLIGHT_VARY),
        ])
    );
    let (d, r) = preflight(&policy, "https://a.example", "PUT", Some("x-a, *"));
    assert_eq!(
        d.rejection().unwrap().to_string(),
        "request header \"*\" is not allowed"
    );
    assert_eq!(
        all(r.headers()),
        h(&[
            ("access-control-allow-origin", "https://a.example"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PUT"),
            ("vary", PREFLIGHT_VARY),
        ])
    );
    // Without credentials `*` is harmless (everything is allowed anyway) and still echoed.
    let open = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_any_method()
        .allow_any_header()
        .build()
        .unwrap();
    let (d, r) = preflight(&open, "https://a.example", "*", Some("*"));
    assert!(d.is_allowed());
    assert_eq!(r.headers()["access-control-allow-methods"], "*");
    assert_eq!(r.headers()["access-control-allow-headers"], "*");
}

#[test]
fn any_method_and_header_answer_with_what_was_asked_even_with_credentials() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_any_method()
        .allow_any_header()
        .allow_credentials(true)
        .build()
        .unwrap();
    let (d, r) = preflight(
        &policy,
        "https://a.example",
        "PURGE",
        Some("authorization,x-custom"),
    );
    assert!(d.is_allowed());
    assert_eq!(
        all(r.headers()),
        h(&[
            ("access-control-allow-origin", "https://a.example"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PURGE"),
            ("access-control-allow-headers", "authorization,x-custom"),
            ("vary", PREFLIGHT_VARY),
        ])
    );
    // Several lines or empty items are joined into one canonical list.
    let d = policy.evaluate(&parts(
        "OPTIONS",
        &[
            ("origin", "https://a.example"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "x-a, ,x-b"),
            ("access-control-request-headers", "x-c"),
        ],
    ));
    assert_eq!(
        policy.respond(&d).headers()["access-control-allow-headers"],
        "x-a,x-b,x-c"
    );
    // No headers asked: none answered.
    let (_, r) = preflight(&policy, "https://a.example", "GET", None);
    assert!(r.headers().get("access-control-allow-headers").is_none());
}

#[test]
fn star_in_lists_means_any_without_credentials_and_is_refused_with_them() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_methods(["*"])
        .allow_headers(["*"])
        .expose_headers(["*"])
        .build()
        .unwrap();
    let (d, r) = preflight(&policy, "https://a.example", "PURGE", Some("x-any"));
    assert!(d.is_allowed());
    assert_eq!(r.headers()["access-control-allow-methods"], "PURGE");
    assert_eq!(r.headers()["access-control-allow-headers"], "x-any");
    assert_eq!(
        actual(&policy, "GET", &[("origin", "https://a.example")]).1
            ["access-control-expose-headers"],
        "*"
    );

    for (b, wildcard) in [
        (
            CorsPolicy::builder().allow_methods(["GET", "*"]),
            Wildcard::Methods,
        ),
        (
            CorsPolicy::builder().allow_headers(["*"]),
            Wildcard::Headers,
        ),
        (
            CorsPolicy::builder().expose_headers(["*"]),
            Wildcard::ExposeHeaders,
        ),
    ] {
        let err = b
            .allow_origins(["https://a.example"])
            .allow_credentials(true)
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::WildcardWithCredentials { wildcard });
    }
}

#[test]
fn max_age_is_whole_seconds() {
    let policy = app_policy()
        .max_age(Duration::from_millis(7_200_900))
        .build()
        .unwrap();
    let (_, r) = preflight(&policy, "https://app.example.com", "GET", None);
    assert_eq!(r.headers()["access-control-max-age"], "7200");
}

#[test]
fn preflight_passthrough_lets_the_inner_service_answer() {
    let policy = app_policy().preflight_passthrough(true).build().unwrap();
    let d = policy.evaluate(&parts(
        "OPTIONS",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
        ],
    ));
    assert_eq!(d.kind(), DecisionKind::Preflight);
    assert!(!d.short_circuits());
    let mut headers = HeaderMap::new();
    headers.insert("allow", HeaderValue::from_static("GET, PUT"));
    policy.apply(&d, &mut headers);
    assert_eq!(
        headers["access-control-allow-methods"],
        "GET, POST, PUT, DELETE"
    );
    assert_eq!(headers["allow"], "GET, PUT");
}

#[test]
fn vary_merges_into_what_the_inner_service_set() {
    let policy = app_policy().build().unwrap();
    let d = policy.evaluate(&parts("GET", &[("origin", "https://app.example.com")]));
    let mut headers = HeaderMap::new();
    headers.insert("vary", HeaderValue::from_static("Accept-Encoding"));
    policy.apply(&d, &mut headers);
    assert_eq!(
        headers.get_all("vary").iter().collect::<Vec<_>>(),
        ["Accept-Encoding, Origin"]
    );
    // A second layer adds nothing.
    policy.apply(&d, &mut headers);
    assert_eq!(
        headers.get_all("vary").iter().collect::<Vec<_>>(),
        ["Accept-Encoding, Origin"]
    );
    let mut headers = HeaderMap::new();
    headers.insert("vary", HeaderValue::from_static("*"));
    policy.apply(&d, &mut headers);
    assert_eq!(headers.get_all("vary").iter().collect::<Vec<_>>(), ["*"]);
}

#[test]
fn empty_policy_is_an_error() {
    let err = CorsPolicy::builder().build().unwrap_err();
    assert_eq!(err, ConfigError::NoOrigins);
    assert!(err.to_string().starts_with("the policy allows no origin"));
    let empty: [&str; 0] = [];
    assert_eq!(
        CorsPolicy::builder()
            .allow_origins(empty)
            .build()
            .unwrap_err(),
        ConfigError::NoOrigins
    );
}

#[test]
fn method_is_accepted_as_http_method_values() {
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_methods([Method::PATCH])
        .build()
        .unwrap();
    assert!(preflight(&policy, "https://a.example", "PATCH", None)
        .0
        .is_allowed());
}

/// Regression (found reading the builder for issue 6): a regex that does not compile by
/// itself, such as `https://app\.example\.com)|(?:https://x`, compiled once wrapped as
/// `^(?:...)$`, and the wrapping then anchored only its first half at the start:
/// `https://app.example.com.evil.net` was allowed. Each regex must now compile on its own.
#[test]
fn a_regex_cannot_close_the_anchoring_group() {
    for input in [
        r"https://app\.example\.com)|(?:https://x",
        r"https://app\.example\.com)|(.*",
        r"x)(?:",
    ] {
        let err = CorsPolicy::builder()
            .allow_origin_regex(input)
            .build()
            .unwrap_err();
        let ConfigError::InvalidRegex { input: got, error } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(got, input);
        assert!(error.contains("unopened group"), "{error}");
        assert!(err
            .to_string()
            .starts_with(&format!("origin regex `{input}` does not compile: ")));
    }
    // A balanced alternation stays anchored as a whole.
    let policy = CorsPolicy::builder()
        .allow_origin_regex(r"https://app\.example\.com|https://x\.example\.com")
        .build()
        .unwrap();
    let allowed = |o: &str| {
        policy
            .evaluate(&parts("GET", &[("origin", o)]))
            .is_allowed()
    };
    assert!(allowed("https://app.example.com"));
    assert!(allowed("https://x.example.com"));
    assert!(!allowed("https://app.example.com.evil.net"));
    assert!(!allowed("https://evil.net.x.example.com"));
}

/// Regression: a list holding `*` (or set beside `allow_any_method()`/`allow_any_header()`)
/// skipped the check of its other entries, so `["*", "x-a\r\nx-b"]` built; and a value ending
/// in CR/LF was silently trimmed. Both are now configuration errors naming the value.
#[test]
fn every_listed_value_is_checked_and_line_breaks_are_refused() {
    let base = || CorsPolicy::builder().allow_origins(["https://a.example"]);
    let bad = "x-a\r\nx-b";
    for (builder, want) in [
        (
            base().allow_any_method().allow_methods(["GET\r\nX: y"]),
            ConfigError::InvalidMethod {
                input: "GET\r\nX: y".into(),
            },
        ),
        (
            base().allow_methods(["*", "PUT\n"]),
            ConfigError::InvalidMethod {
                input: "PUT\n".into(),
            },
        ),
        (
            base().allow_any_header().allow_headers([bad]),
            ConfigError::InvalidHeaderName {
                setting: "allow_headers",
                input: bad.into(),
            },
        ),
        (
            base().allow_headers(["*", "content-type\r\n"]),
            ConfigError::InvalidHeaderName {
                setting: "allow_headers",
                input: "content-type\r\n".into(),
            },
        ),
        (
            base().expose_headers(["*", "x-id\r"]),
            ConfigError::InvalidHeaderName {
                setting: "expose_headers",
                input: "x-id\r".into(),
            },
        ),
    ] {
        assert_eq!(builder.build().unwrap_err(), want);
    }
    // Spaces and tabs around a value are still trimmed, and `*` still means any.
    let policy = base()
        .allow_methods([" PUT\t", "*"])
        .allow_headers(["*", " x-a "])
        .build()
        .unwrap();
    let (d, r) = preflight(&policy, "https://a.example", "PURGE", Some("x-z"));
    assert!(d.is_allowed());
    assert_eq!(r.headers()["access-control-allow-methods"], "PURGE");
    assert_eq!(r.headers()["access-control-allow-headers"], "x-z");
}
