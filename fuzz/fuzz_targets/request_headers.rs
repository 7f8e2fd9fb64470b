//! `Access-Control-Request-Headers` parsing: bounded by the limits, names are tokens, and what
//! any-header echoes back is exactly what was validated.
#![no_main]

use http::header::ACCESS_CONTROL_REQUEST_HEADERS as ACRH;
use http::{HeaderMap, HeaderValue, Request};
use libfuzzer_sys::fuzz_target;
use tower_cors::{__fuzz, CorsPolicy};
use tower_cors_fuzz::{is_token, items};

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else { return };
    let max_bytes = usize::from(*a) * 16;
    let max_names = usize::from(*b) % 70;
    let mut map = HeaderMap::new();
    for line in rest.split(|&b| b == b'\n') {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            map.append(ACRH, v);
        }
    }
    let total: usize = map.get_all(ACRH).iter().map(HeaderValue::len).sum();

    // Allow a name by a rule of its bytes, so that some scans stop on a refusal.
    let mut visited = Vec::new();
    let result = __fuzz::scan_request_headers(map.get_all(ACRH), max_bytes, max_names, |n| {
        visited.push(n.to_vec());
        n.len() % 5 != 0
    });
    assert!(visited.len() <= max_names, "scanned past the name limit");
    if total > max_bytes {
        assert!(visited.is_empty(), "scanned past the byte limit");
        assert_eq!(result, Err(format!("TooLong {{ len: {total} }}")));
    }
    for n in &visited {
        assert!(is_token(n));
    }
    if let Ok(names) = result {
        assert_eq!(names, visited.len());
        let expected: usize = map
            .get_all(ACRH)
            .iter()
            .flat_map(|v| v.as_bytes().split(|&b| b == b','))
            .filter(|i| i.iter().any(|b| !b" \t".contains(b)))
            .count();
        assert_eq!(names, expected);
    }

    // Through a policy that allows any header: an allowed preflight echoes exactly the names.
    let policy = CorsPolicy::builder()
        .allow_origins(["https://a.example"])
        .allow_any_header()
        .request_header_limits(max_bytes, max_names)
        .build()
        .unwrap();
    let mut req = Request::options("/")
        .header("origin", "https://a.example")
        .header("access-control-request-method", "GET")
        .body(())
        .unwrap();
    for v in map.get_all(ACRH) {
        req.headers_mut().append(ACRH, v.clone());
    }
    let (parts, ()) = req.into_parts();
    let decision = policy.evaluate(&parts);
    let response = policy.respond(&decision);
    let echoed = items(response.headers(), "access-control-allow-headers");
    if decision.is_allowed() {
        let requested: Vec<Vec<u8>> = map
            .get_all(ACRH)
            .iter()
            .flat_map(|v| v.as_bytes().split(|&b| b == b','))
            .map(|i| i.trim_ascii().to_vec())
            .filter(|i| !i.is_empty())
            .collect();
        assert_eq!(echoed, requested);
    } else {
        assert!(echoed.is_empty());
    }
});
