//! Checking a preflight (OPTIONS) response, in the Fetch standard's order:
//! redirect, CORS check, ok status, Allow-Methods / Allow-Headers syntax,
//! method, headers, then max-age.

use std::time::Duration;

use http::{HeaderMap, StatusCode};

use super::cors_check::{cors_check, get_combined};
use super::error::{Blocked, CorsError};
use super::request::BrowserRequest;
use super::safelist::{is_safelisted_method, parse_token_list};
use super::Mode;

/// Chromium's cap on `Access-Control-Max-Age` (two hours).
pub(crate) const CHROMIUM_MAX_AGE_CAP: Duration = Duration::from_secs(7200);
/// The default when the header is absent (both the standard and Chromium).
pub(crate) const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

/// What a successful preflight allows, for the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PreflightAllowance {
    pub(crate) methods: Vec<String>,
    /// Lower-case header names.
    pub(crate) headers: Vec<String>,
    pub(crate) max_age: Duration,
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// `Access-Control-Max-Age` as each mode reads it.
pub(crate) fn max_age(mode: Mode, headers: &HeaderMap) -> Duration {
    let Some(raw) = get_combined(headers, "access-control-max-age") else {
        return DEFAULT_MAX_AGE;
    };
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    // Saturates instead of overflowing: a huge value means "as long as allowed".
    let seconds = |s: &[u8]| {
        s.iter().fold(0u64, |acc, d| {
            acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
    };
    match mode {
        // delta-seconds = 1*DIGIT; failure -> 5 s; no imposed limit.
        Mode::Spec => {
            if all_digits(&raw) {
                Duration::from_secs(seconds(&raw))
            } else {
                DEFAULT_MAX_AGE
            }
        }
        // Chromium reads a signed 64-bit integer: negative -> 0 (not cached),
        // not a number or overflow -> the 5 s default, capped at two hours.
        Mode::Chromium => {
            let (negative, digits) = match raw.strip_prefix(b"-") {
                Some(rest) => (true, rest),
                None => (false, raw.as_slice()),
            };
            if !all_digits(digits) || digits.len() > 19 || seconds(digits) > i64::MAX as u64 {
                return DEFAULT_MAX_AGE;
            }
            if negative {
                return Duration::ZERO;
            }
            Duration::from_secs(seconds(digits)).min(CHROMIUM_MAX_AGE_CAP)
        }
    }
}

/// Runs every check on a preflight response for `req`.
pub(crate) fn check_preflight_response(
    mode: Mode,
    req: &BrowserRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<PreflightAllowance, Blocked> {
    if is_redirect(status) {
        if let Some(location) = get_combined(headers, "location") {
            return Err(Blocked::with(
                CorsError::PreflightDisallowedRedirect,
                String::from_utf8_lossy(&location).into_owned(),
            ));
        }
    }
    // The CORS check uses the actual request's credentials mode, although
    // the preflight itself never carries credentials.
    cors_check(headers, req.origin(), req.includes_credentials()).map_err(|b| Blocked {
        error: b.error.for_preflight(),
        detail: b.detail,
    })?;
    if !status.is_success() {
        return Err(Blocked::with(
            CorsError::PreflightInvalidStatus,
            status.as_u16().to_string(),
        ));
    }
    let methods = match get_combined(headers, "access-control-allow-methods") {
        None => None,
        Some(v) => Some(parse_token_list(&v).ok_or_else(|| {
            Blocked::with(
                CorsError::InvalidAllowMethodsPreflightResponse,
                String::from_utf8_lossy(&v).into_owned(),
            )
        })?),
    };
    let allow_headers: Vec<String> = match get_combined(headers, "access-control-allow-headers") {
        None => Vec::new(),
        Some(v) => parse_token_list(&v)
            .ok_or_else(|| {
                Blocked::with(
                    CorsError::InvalidAllowHeadersPreflightResponse,
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })?
            .into_iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
    };
    let methods = match methods {
        Some(m) => m,
        None if req.use_cors_preflight_flag() => vec![req.method.clone()],
        None => Vec::new(),
    };
    let creds = req.includes_credentials();
    let wildcard_methods = !creds && methods.iter().any(|m| m == "*");
    // Byte-equal: `patch` is not allowed by `PATCH` (Chromium agrees since
    // its AccessControlAllowMethodsInCORSPreflightSpecConformant default).
    if !(methods.contains(&req.method) || is_safelisted_method(&req.method) || wildcard_methods) {
        return Err(Blocked::with(
            CorsError::MethodDisallowedByPreflightResponse,
            req.method.clone(),
        ));
    }
    let wildcard_headers = !creds && allow_headers.iter().any(|h| h == "*");
    let listed = |name: &str| allow_headers.iter().any(|h| h == name);
    match mode {
        Mode::Spec => {
            // `*` never covers the CORS non-wildcard request-header name.
            if req.has_header("authorization") && !listed("authorization") {
                return Err(Blocked::with(
                    CorsError::HeaderDisallowedByPreflightResponse,
                    "authorization",
                ));
            }
            let mut names = req.unsafe_names(mode);
            names.sort();
            if let Some(name) = names.into_iter().find(|n| !(listed(n) || wildcard_headers)) {
                return Err(Blocked::with(
                    CorsError::HeaderDisallowedByPreflightResponse,
                    name,
                ));
            }
        }
        Mode::Chromium => {
            // Chromium 156: `*` (without credentials) covers Authorization too
            // (reported as a deprecation). It names the first failing header
            // in request order.
            if !wildcard_headers {
                if let Some(name) = req.unsafe_names(mode).into_iter().find(|n| !listed(n)) {
                    return Err(Blocked::with(
                        CorsError::HeaderDisallowedByPreflightResponse,
                        name,
                    ));
                }
            }
        }
    }
    Ok(PreflightAllowance {
        methods,
        headers: allow_headers,
        max_age: max_age(mode, headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{BodyKind, Credentials};
    use http::HeaderValue;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_static(v));
        }
        h
    }

    const O: &str = "http://localhost:3000";

    fn req(method: &str) -> BrowserRequest {
        BrowserRequest::new(O, method, "http://api.test/r").unwrap()
    }

    fn check(
        mode: Mode,
        r: &BrowserRequest,
        status: u16,
        h: &[(&'static str, &'static str)],
    ) -> Result<PreflightAllowance, (CorsError, Option<String>)> {
        let status = StatusCode::from_u16(status).unwrap();
        check_preflight_response(mode, r, status, &map(h)).map_err(|b| (b.error, b.detail))
    }

    fn e(err: CorsError, d: &str) -> Result<PreflightAllowance, (CorsError, Option<String>)> {
        Err((err, Some(d.to_owned())))
    }

    #[test]
    fn order_redirect_then_cors_then_status() {
        let r = req("PUT");
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                302,
                &[("location", "http://api.test/other")]
            ),
            e(
                CorsError::PreflightDisallowedRedirect,
                "http://api.test/other"
            )
        );
        // The CORS check comes before the status check.
        assert_eq!(
            check(Mode::Spec, &r, 404, &[]),
            Err((CorsError::PreflightMissingAllowOriginHeader, None))
        );
        assert_eq!(
            check(Mode::Spec, &r, 404, &[("access-control-allow-origin", O)]),
            e(CorsError::PreflightInvalidStatus, "404")
        );
        // A 3xx without Location is just a non-ok status.
        assert_eq!(
            check(Mode::Spec, &r, 304, &[("access-control-allow-origin", O)]),
            e(CorsError::PreflightInvalidStatus, "304")
        );
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                200,
                &[("access-control-allow-origin", "http://other.test")]
            ),
            e(CorsError::PreflightAllowOriginMismatch, "http://other.test")
        );
        // The credentials mode of the actual request applies to the preflight.
        let rc = req("PUT").credentials(Credentials::Include);
        assert_eq!(
            check(
                Mode::Spec,
                &rc,
                204,
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "PUT")
                ]
            ),
            e(CorsError::PreflightWildcardOriginNotAllowed, "*")
        );
        assert_eq!(
            check(
                Mode::Spec,
                &rc,
                204,
                &[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-methods", "PUT")
                ]
            ),
            e(CorsError::PreflightInvalidAllowCredentials, "")
        );
    }

    #[test]
    fn syntax_then_method_then_headers() {
        let r = req("PUT").header("X-A", "1").unwrap();
        let ok = ("access-control-allow-origin", O);
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                204,
                &[
                    ok,
                    ("access-control-allow-methods", "PUT DELETE"),
                    ("access-control-allow-headers", "x;y")
                ]
            ),
            e(
                CorsError::InvalidAllowMethodsPreflightResponse,
                "PUT DELETE"
            )
        );
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                204,
                &[
                    ok,
                    ("access-control-allow-methods", "GET"),
                    ("access-control-allow-headers", "x;y")
                ]
            ),
            e(CorsError::InvalidAllowHeadersPreflightResponse, "x;y")
        );
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                204,
                &[ok, ("access-control-allow-methods", "GET")]
            ),
            e(CorsError::MethodDisallowedByPreflightResponse, "PUT")
        );
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                204,
                &[ok, ("access-control-allow-methods", "put")]
            ),
            e(CorsError::MethodDisallowedByPreflightResponse, "PUT")
        );
        assert_eq!(
            check(
                Mode::Spec,
                &r,
                204,
                &[
                    ok,
                    ("access-control-allow-methods", "PUT"),
                    ("access-control-allow-headers", "x-b")
                ]
            ),
            e(CorsError::HeaderDisallowedByPreflightResponse, "x-a")
        );
        let a = check(
            Mode::Spec,
            &r,
            204,
            &[
                ok,
                ("access-control-allow-methods", "GET, PUT"),
                ("access-control-allow-headers", "X-A"),
            ],
        )
        .unwrap();
        assert_eq!(a.methods, vec!["GET", "PUT"]);
        assert_eq!(a.headers, vec!["x-a"]);
        assert_eq!(a.max_age, DEFAULT_MAX_AGE);
    }

    #[test]
    fn method_rules() {
        let ok = ("access-control-allow-origin", O);
        // Byte-equal only: `patch` is not normalized.
        let patch = req("patch");
        assert_eq!(
            check(
                Mode::Chromium,
                &patch,
                204,
                &[ok, ("access-control-allow-methods", "PATCH")]
            ),
            e(CorsError::MethodDisallowedByPreflightResponse, "patch")
        );
        assert!(check(
            Mode::Spec,
            &patch,
            204,
            &[ok, ("access-control-allow-methods", "patch")]
        )
        .is_ok());
        // `*` works only without credentials.
        assert!(check(
            Mode::Spec,
            &req("DELETE"),
            204,
            &[ok, ("access-control-allow-methods", "*")]
        )
        .is_ok());
        let cred = req("DELETE").credentials(Credentials::Include);
        let okc = [
            ok,
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "*"),
        ];
        assert_eq!(
            check(Mode::Spec, &cred, 204, &okc),
            e(CorsError::MethodDisallowedByPreflightResponse, "DELETE")
        );
        // Safelisted methods always pass, even when not listed.
        let post = req("POST").header("X-A", "1").unwrap();
        assert!(check(
            Mode::Spec,
            &post,
            204,
            &[ok, ("access-control-allow-headers", "x-a")]
        )
        .is_ok());
        // Without ACAM and with the use-CORS-preflight flag, methods = [method].
        let stream = req("POST").body(BodyKind::Stream);
        assert_eq!(
            check(Mode::Spec, &stream, 204, &[ok]).unwrap().methods,
            vec!["POST"]
        );
        let no_flag = req("PUT");
        assert_eq!(
            check(Mode::Spec, &no_flag, 204, &[ok]),
            e(CorsError::MethodDisallowedByPreflightResponse, "PUT")
        );
    }

    #[test]
    fn wildcard_headers_and_authorization() {
        let ok = ("access-control-allow-origin", O);
        let r = req("GET")
            .header("Authorization", "Bearer t")
            .unwrap()
            .header("X-A", "1")
            .unwrap();
        let star = [ok, ("access-control-allow-headers", "*")];
        assert_eq!(
            check(Mode::Spec, &r, 204, &star),
            e(
                CorsError::HeaderDisallowedByPreflightResponse,
                "authorization"
            )
        );
        assert!(check(Mode::Chromium, &r, 204, &star).is_ok());
        assert!(check(
            Mode::Spec,
            &r,
            204,
            &[ok, ("access-control-allow-headers", "*, Authorization")]
        )
        .is_ok());
        // With credentials `*` is a literal name in both modes.
        let rc = req("GET")
            .header("X-A", "1")
            .unwrap()
            .credentials(Credentials::Include);
        let starc = [
            ok,
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-headers", "*"),
        ];
        for mode in [Mode::Spec, Mode::Chromium] {
            assert_eq!(
                check(mode, &rc, 204, &starc),
                e(CorsError::HeaderDisallowedByPreflightResponse, "x-a")
            );
        }
    }

    #[test]
    fn which_header_is_named() {
        let ok = ("access-control-allow-origin", O);
        let r = req("GET")
            .header("X-Zed", "1")
            .unwrap()
            .header("X-Alpha", "1")
            .unwrap();
        // The standard walks the sorted set; Chromium walks request order.
        assert_eq!(
            check(Mode::Spec, &r, 204, &[ok]),
            e(CorsError::HeaderDisallowedByPreflightResponse, "x-alpha")
        );
        assert_eq!(
            check(Mode::Chromium, &r, 204, &[ok]),
            e(CorsError::HeaderDisallowedByPreflightResponse, "x-zed")
        );
    }

    #[test]
    fn max_age_rules() {
        let m = |mode, v: &'static str| max_age(mode, &map(&[("access-control-max-age", v)]));
        let s = Duration::from_secs;
        assert_eq!(max_age(Mode::Spec, &HeaderMap::new()), s(5));
        assert_eq!(max_age(Mode::Chromium, &HeaderMap::new()), s(5));
        assert_eq!(m(Mode::Spec, "600"), s(600));
        assert_eq!(m(Mode::Chromium, "600"), s(600));
        assert_eq!(m(Mode::Spec, "86400"), s(86400));
        assert_eq!(m(Mode::Chromium, "86400"), s(7200));
        assert_eq!(m(Mode::Chromium, "7200"), s(7200));
        assert_eq!(m(Mode::Spec, "0"), s(0));
        assert_eq!(m(Mode::Chromium, "0"), s(0));
        // Unparsable: the standard falls back to 5 s; Chromium does not cache
        // a negative value and falls back to 5 s for text.
        assert_eq!(m(Mode::Spec, "-1"), s(5));
        assert_eq!(m(Mode::Chromium, "-1"), s(0));
        assert_eq!(m(Mode::Spec, "abc"), s(5));
        assert_eq!(m(Mode::Chromium, "abc"), s(5));
        assert_eq!(m(Mode::Spec, "1.5"), s(5));
        assert_eq!(m(Mode::Spec, "99999999999999999999999"), s(u64::MAX));
        assert_eq!(m(Mode::Chromium, "99999999999999999999999"), s(5));
        let two = {
            let mut h = map(&[("access-control-max-age", "10")]);
            h.append("access-control-max-age", HeaderValue::from_static("10"));
            h
        };
        assert_eq!(max_age(Mode::Spec, &two), s(5));
    }
}
