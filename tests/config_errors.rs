//! Every kind of bad configuration is a `ConfigError` whose message names the input and the fix.

use http::StatusCode;
use tower_cors::{ConfigError, CorsPolicy, CorsPolicyBuilder, ScopedPolicies, Wildcard};

fn base() -> CorsPolicyBuilder {
    CorsPolicy::builder().allow_origins(["https://app.example.com"])
}

#[track_caller]
fn fails(builder: CorsPolicyBuilder, message: &str) -> ConfigError {
    let err = builder.build().unwrap_err();
    assert_eq!(err.to_string(), message);
    err
}

#[test]
fn origins_that_are_not_origins() {
    for (origin, message) in [
        ("http://localhost:3000/api", "`http://localhost:3000/api` is not an origin: an origin has no path; did you mean `http://localhost:3000`?"),
        ("https://myapp.com/?q=1", "`https://myapp.com/?q=1` is not an origin: an origin has no path; did you mean `https://myapp.com`?"),
        ("https://myapp.com?q=1", "`https://myapp.com?q=1` is not an origin: an origin has no query; did you mean `https://myapp.com`?"),
        ("https://admin:secret@myapp.com", "`https://admin:secret@myapp.com` is not an origin: an origin has no user name or password; did you mean `https://myapp.com`?"),
        ("myapp.com", "`myapp.com` is not an origin: it has no scheme (`https://`); did you mean `https://myapp.com`?"),
        ("ht tp://myapp.com", "`ht tp://myapp.com` is not an origin: its scheme is not a URL scheme"),
        ("https://myapp.com:99999", "`https://myapp.com:99999` is not an origin: its port is not a number from 1 to 65535 (without leading zeros)"),
        ("", "`` is not an origin: it has leading or trailing white space, or is empty"),
    ] {
        let err = fails(CorsPolicy::builder().allow_origins([origin]), message);
        assert!(matches!(err, ConfigError::InvalidOrigin { ref input, .. } if input == origin));
    }
}

#[test]
fn bad_patterns() {
    let err = fails(
        CorsPolicy::builder().allow_origins(["https://api.*.example.com"]),
        "`https://api.*.example.com` is not an origin pattern: `*` may only stand for leading labels (`*.`) or the port (`:*`); write it as `https://*.example.com`, `https://*.example.com:8443` or `https://*.example.com:*`",
    );
    assert!(matches!(err, ConfigError::InvalidPattern { .. }));
}

#[test]
fn regexes_that_do_not_compile() {
    let err = base()
        .allow_origin_regex(r"https://(.*\.example\.com")
        .build()
        .unwrap_err();
    let ConfigError::InvalidRegex { input, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(input, r"https://(.*\.example\.com");
    assert!(
        err.to_string()
            .starts_with(r"origin regex `https://(.*\.example\.com` does not compile: "),
        "{err}"
    );
}

#[test]
fn header_names_and_methods_that_are_not_tokens() {
    fails(
        base().allow_headers(["content-type", "x-api-key: 1"]),
        "allow_headers: `x-api-key: 1` is not a header name: a header name is a non-empty token (letters, digits and !#$%&'*+-.^_`|~), without spaces, colons or a value",
    );
    fails(
        base().expose_headers(["X Request Id"]),
        "expose_headers: `X Request Id` is not a header name: a header name is a non-empty token (letters, digits and !#$%&'*+-.^_`|~), without spaces, colons or a value",
    );
    fails(
        base().allow_methods(["GET, POST"]),
        "allow_methods: `GET, POST` is not a method: a method is a non-empty token such as `GET` or `PATCH`, without spaces or commas",
    );
    fails(
        base().allow_headers(["x-ok\r\nx-injected"]),
        "allow_headers: `x-ok\r\nx-injected` is not a header name: a header name is a non-empty token (letters, digits and !#$%&'*+-.^_`|~), without spaces, colons or a value",
    );
}

#[test]
fn wildcards_with_credentials() {
    for (builder, wildcard, names) in [
        (
            CorsPolicy::builder().allow_origins(["*"]),
            Wildcard::Origins,
            "`*`",
        ),
        (
            base().allow_methods(["*"]),
            Wildcard::Methods,
            "allow_any_method()",
        ),
        (
            base().allow_headers(["*"]),
            Wildcard::Headers,
            "allow_any_header()",
        ),
        (
            base().expose_headers(["*"]),
            Wildcard::ExposeHeaders,
            "expose_headers",
        ),
    ] {
        let err = builder.allow_credentials(true).build().unwrap_err();
        assert_eq!(err, ConfigError::WildcardWithCredentials { wildcard });
        assert!(err.to_string().contains("allow_credentials(true)"), "{err}");
        assert!(err.to_string().contains(names), "{err}");
    }
}

#[test]
fn a_policy_that_allows_nothing() {
    fails(
        CorsPolicy::builder().allow_methods(["GET"]),
        "the policy allows no origin, so it would refuse every cross-origin request; add `allow_origins([...])`, `allow_origin_regex(...)`, `allow_origin_fn(...)` or `allow_any_origin()`",
    );
}

#[test]
fn a_preflight_status_browsers_reject() {
    fails(
        base().preflight_status(StatusCode::NOT_FOUND),
        "preflight_status(404): browsers accept a preflight only with a 2xx status; use 204 (the default) or 200",
    );
}

#[test]
fn scope_paths() {
    let policy = base().build().unwrap();
    let err = ScopedPolicies::builder()
        .path("api/*", policy)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "path `api/*` cannot scope a policy: it does not start with `/`; write an exact path like `/api/items` or a prefix like `/api/*`"
    );
}
