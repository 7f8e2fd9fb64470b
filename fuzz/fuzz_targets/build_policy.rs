//! Policy building from arbitrary configuration: `build` never panics, refuses what it must
//! (`*` with credentials, values with CR/LF or other non-token bytes), and a policy it accepts
//! keeps every invariant on the requests that come with the configuration.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use http::{HeaderValue, Method, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use tower_cors::{ConfigError, CorsPolicy};
use tower_cors_fuzz::{run_and_check, Settings};

#[derive(Arbitrary, Debug)]
struct Config {
    origins: Vec<String>,
    regexes: Vec<String>,
    any_origin: bool,
    reflect: bool,
    predicate: bool,
    methods: Vec<String>,
    any_method: bool,
    headers: Vec<String>,
    any_header: bool,
    expose: Vec<String>,
    credentials: bool,
    max_age: Option<u32>,
    private_network: bool,
    preflight_status: u16,
    rejection_status: u16,
    refuse: bool,
    passthrough: bool,
    keep_inner: bool,
    limits: Option<(u16, u8)>,
    requests: Vec<Probe>,
}

#[derive(Arbitrary, Debug)]
struct Probe {
    method: String,
    origins: Vec<Vec<u8>>,
    acrm: Vec<Vec<u8>>,
    acrh: Vec<Vec<u8>>,
    private_network: bool,
}

/// Regexes are compiled whole at build: keep them short so that one input stays fast.
fn short(s: &str) -> &str {
    let mut end = s.len().min(24);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fuzz_target!(|c: Config| {
    let Ok(preflight_status) = StatusCode::from_u16(c.preflight_status) else {
        return;
    };
    let Ok(rejection_status) = StatusCode::from_u16(c.rejection_status) else {
        return;
    };
    let mut b = CorsPolicy::builder()
        .allow_origins(&c.origins)
        .allow_methods(&c.methods)
        .allow_headers(&c.headers)
        .expose_headers(&c.expose)
        .allow_credentials(c.credentials)
        .allow_private_network(c.private_network)
        .preflight_status(preflight_status)
        .rejection_status(rejection_status)
        .refuse_disallowed_origins(c.refuse)
        .preflight_passthrough(c.passthrough)
        .keep_inner_cors_headers(c.keep_inner);
    for r in c.regexes.iter().take(3) {
        b = b.allow_origin_regex(short(r));
    }
    if c.any_origin {
        b = b.allow_any_origin();
    }
    if c.reflect {
        b = b.dangerously_reflect_any_origin();
    }
    if c.predicate {
        b = b.allow_origin_fn(|o, _| o.as_bytes().len() % 2 == 0);
    }
    if c.any_method {
        b = b.allow_any_method();
    }
    if c.any_header {
        b = b.allow_any_header();
    }
    if let Some(s) = c.max_age {
        b = b.max_age(Duration::from_secs(u64::from(s)));
    }
    if let Some((bytes, names)) = c.limits {
        b = b.request_header_limits(usize::from(bytes), usize::from(names));
    }

    let policy = match b.build() {
        Ok(p) => p,
        Err(e) => {
            // Every refusal is a sentence that names the problem.
            assert!(!e.to_string().is_empty());
            if let ConfigError::WildcardWithCredentials { .. } = e {
                assert!(c.credentials);
            }
            return;
        }
    };
    // Accepted: the lint runs on it, and `*` with credentials never got through.
    let _ = format!("{policy:?}");
    let any_wildcard = c.any_origin || c.origins.iter().any(|o| o == "*");
    assert!(
        !(c.credentials && any_wildcard && !c.reflect),
        "`*` with credentials was accepted"
    );
    for l in policy.lint() {
        assert!(!l.to_string().is_empty());
    }
    // A configured value with CR or LF inside never makes it into a header.
    for list in [&c.methods, &c.headers, &c.expose] {
        for v in list {
            if v.trim().contains(['\r', '\n']) {
                panic!("accepted a value with CR/LF inside: {v:?}");
            }
        }
    }

    let settings = Settings {
        passthrough: c.passthrough,
        refuse: c.refuse,
    };
    for p in c.requests.iter().take(4) {
        let Ok(method) = Method::from_bytes(p.method.as_bytes()) else {
            continue;
        };
        let mut request = Request::builder()
            .method(method)
            .uri("/")
            .body(String::new())
            .unwrap();
        let h = request.headers_mut();
        for (name, values) in [
            ("origin", &p.origins),
            ("access-control-request-method", &p.acrm),
            ("access-control-request-headers", &p.acrh),
        ] {
            for v in values.iter().take(3) {
                if let Ok(v) = HeaderValue::from_bytes(v) {
                    h.append(name, v);
                }
            }
        }
        if p.private_network {
            h.append(
                "access-control-request-private-network",
                HeaderValue::from_static("true"),
            );
        }
        run_and_check(&policy, settings, request);
    }
});
