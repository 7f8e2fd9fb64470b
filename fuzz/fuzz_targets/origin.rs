//! Origin parsing: configured origins (normalised by the builder) and request origins (parsed
//! strictly as a browser serialises them).
#![no_main]

use http::{HeaderValue, Request};
use libfuzzer_sys::fuzz_target;
use tower_cors::{__fuzz, CorsPolicy};

fn allowed(policy: &CorsPolicy, origin: &[u8]) -> Option<bool> {
    let value = HeaderValue::from_bytes(origin).ok()?;
    let (parts, ()) = Request::get("/")
        .header("origin", value)
        .body(())
        .ok()?
        .into_parts();
    let decision = policy.evaluate(&parts);
    if let Some(acao) = decision.allow_origin() {
        assert_eq!(acao.as_bytes(), origin, "ACAO is not the request origin");
    }
    Some(decision.is_allowed())
}

fuzz_target!(|data: &[u8]| {
    // Request side: whatever the matcher accepts is exactly `scheme://host[:port]`, lower-case,
    // without a default port, path, userinfo or white space.
    if let Some((scheme, host, port)) = __fuzz::parse_serialized(data) {
        let rebuilt = match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        assert_eq!(rebuilt.as_bytes(), data);
        assert!(!host.is_empty());
        assert!(!host.bytes().any(|b| b.is_ascii_uppercase()
            || b.is_ascii_whitespace()
            || b"/?#@,*\\".contains(&b)));
        assert!(port != Some(0));
        assert!(!matches!(
            (scheme.as_str(), port),
            ("https", Some(443)) | ("http", Some(80))
        ));
    }

    // Configuration side.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let built = CorsPolicy::builder().allow_origins([text]).build();
    if text.contains('*') {
        // `*` or a pattern: whatever it allows, it allows only well-formed origins (or `*`).
        if let Ok(policy) = built {
            if text != "*" {
                for probe in [
                    &b"https://a.example.com"[..],
                    b"https://A.example.com",
                    b"null",
                ] {
                    if allowed(&policy, probe) == Some(true) {
                        assert!(__fuzz::parse_serialized(probe).is_some());
                    }
                }
            }
        }
        return;
    }
    let normalized = __fuzz::normalize_origin(text);
    assert_eq!(
        normalized.is_ok(),
        built.is_ok(),
        "builder and normalisation disagree"
    );
    let (Ok(n), Ok(policy)) = (normalized, built) else {
        return;
    };
    // Normalising is idempotent and yields what a browser sends.
    assert_eq!(__fuzz::normalize_origin(&n).as_deref(), Ok(n.as_str()));
    if n != "null" && n.len() <= 512 {
        assert!(
            __fuzz::parse_serialized(n.as_bytes()).is_some(),
            "configured origin {n:?} could never match a request"
        );
    }
    // The normalised origin is allowed, and the text as written only if it is that.
    assert_eq!(allowed(&policy, n.as_bytes()), Some(true));
    if let Some(raw) = allowed(&policy, data) {
        assert_eq!(raw, data == n.as_bytes(), "{text:?} normalised to {n:?}");
    }
});
