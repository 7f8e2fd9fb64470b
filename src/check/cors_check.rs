//! The *CORS check* (run on the preflight and on the actual response) and
//! which response headers script may read afterwards.

use http::HeaderMap;

use super::error::{Blocked, CorsError};
use super::safelist::{is_forbidden_response_header, SAFELISTED_RESPONSE_HEADERS};

/// Header-list *get*: every value of `name` joined with `, `, or `None`.
/// Repeated `Access-Control-Allow-Origin` headers therefore fail the check.
pub(crate) fn get_combined(headers: &HeaderMap, name: &str) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    for v in headers.get_all(name) {
        match out.as_mut() {
            Some(o) => {
                o.extend_from_slice(b", ");
                o.extend_from_slice(v.as_bytes());
            }
            None => out = Some(v.as_bytes().to_vec()),
        }
    }
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether an `Access-Control-Allow-Origin` value at least looks like a URL
/// (a scheme, and a host for http/https). Only used to choose between
/// Chromium's `InvalidAllowOriginValue` and `AllowOriginMismatch`.
fn looks_like_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut b = scheme.bytes();
    if !matches!(b.next(), Some(c) if c.is_ascii_alphabetic())
        || !b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return false;
    }
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        let host = rest.trim_start_matches('/');
        let host = host.split(['/', '?', '#']).next().unwrap_or("");
        return !host.is_empty() && !host.starts_with(':');
    }
    true
}

/// The CORS check for `origin` (serialized) with the actual request's
/// credentials mode. Errors carry the actual-response names; the caller
/// maps them to the `Preflight*` names for a preflight.
pub(crate) fn cors_check(
    headers: &HeaderMap,
    origin: &str,
    include_credentials: bool,
) -> Result<(), Blocked> {
    let Some(acao) = get_combined(headers, "access-control-allow-origin") else {
        return Err(Blocked::bare(CorsError::MissingAllowOriginHeader));
    };
    if acao == b"*" {
        if include_credentials {
            return Err(Blocked::with(CorsError::WildcardOriginNotAllowed, "*"));
        }
        return Ok(());
    }
    if acao != origin.as_bytes() {
        let value = text(&acao);
        if acao.iter().any(|&b| b == b',' || b == b' ') {
            return Err(Blocked::with(CorsError::MultipleAllowOriginValues, value));
        }
        if value != "null" && !looks_like_url(&value) {
            return Err(Blocked::with(CorsError::InvalidAllowOriginValue, value));
        }
        return Err(Blocked::with(CorsError::AllowOriginMismatch, value));
    }
    if include_credentials {
        let acac = get_combined(headers, "access-control-allow-credentials");
        if acac.as_deref() != Some(b"true") {
            return Err(Blocked::with(
                CorsError::InvalidAllowCredentials,
                acac.map(|v| text(&v)).unwrap_or_default(),
            ));
        }
    }
    Ok(())
}

/// Lower-case, sorted, de-duplicated names present on the response.
fn present_names(headers: &HeaderMap) -> Vec<String> {
    // HeaderMap keys are already lower-case.
    let mut names: Vec<String> = headers.keys().map(|k| k.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    names
}

/// Which header names script may read on a CORS response: the safelisted
/// response-header names plus the `Access-Control-Expose-Headers` list
/// (`*` means every name, but only without credentials). `Set-Cookie` and
/// `Set-Cookie2` never.
pub(crate) struct Exposure {
    all: bool,
    listed: Vec<String>,
}

impl Exposure {
    pub(crate) fn cors(headers: &HeaderMap, include_credentials: bool) -> Exposure {
        // A malformed list exposes nothing beyond the safelist.
        let listed: Vec<String> = get_combined(headers, "access-control-expose-headers")
            .and_then(|v| super::safelist::parse_token_list(&v))
            .unwrap_or_default()
            .into_iter()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        let all = !include_credentials && listed.iter().any(|n| n == "*");
        Exposure { all, listed }
    }

    /// Same-origin (basic) responses expose everything but Set-Cookie.
    pub(crate) fn basic() -> Exposure {
        Exposure {
            all: true,
            listed: Vec::new(),
        }
    }

    pub(crate) fn allows(&self, lower_name: &str) -> bool {
        if is_forbidden_response_header(lower_name) {
            return false;
        }
        self.all
            || SAFELISTED_RESPONSE_HEADERS.contains(&lower_name)
            || self.listed.iter().any(|n| n == lower_name)
    }

    pub(crate) fn readable(&self, headers: &HeaderMap) -> Vec<String> {
        present_names(headers)
            .into_iter()
            .filter(|n| self.allows(n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_static(v));
        }
        h
    }

    const O: &str = "http://localhost:3000";

    fn err(h: &[(&'static str, &'static str)], creds: bool) -> Option<(CorsError, Option<String>)> {
        cors_check(&map(h), O, creds)
            .err()
            .map(|b| (b.error, b.detail))
    }

    #[test]
    fn acao() {
        assert_eq!(
            err(&[], false),
            Some((CorsError::MissingAllowOriginHeader, None))
        );
        assert_eq!(err(&[("access-control-allow-origin", "*")], false), None);
        assert_eq!(err(&[("access-control-allow-origin", O)], false), None);
        let d = |e, v: &str| Some((e, Some(v.to_owned())));
        assert_eq!(
            err(
                &[("access-control-allow-origin", "http://localhost:3000/")],
                false
            ),
            d(CorsError::AllowOriginMismatch, "http://localhost:3000/")
        );
        assert_eq!(
            err(
                &[("access-control-allow-origin", "HTTP://LOCALHOST:3000")],
                false
            ),
            d(CorsError::AllowOriginMismatch, "HTTP://LOCALHOST:3000")
        );
        assert_eq!(
            err(
                &[("access-control-allow-origin", "http://localhost")],
                false
            ),
            d(CorsError::AllowOriginMismatch, "http://localhost")
        );
        assert_eq!(
            err(&[("access-control-allow-origin", "null")], false),
            d(CorsError::AllowOriginMismatch, "null")
        );
        assert_eq!(
            err(&[("access-control-allow-origin", "localhost3000")], false),
            d(CorsError::InvalidAllowOriginValue, "localhost3000")
        );
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-origin", O)
                ],
                false
            ),
            d(
                CorsError::MultipleAllowOriginValues,
                "http://localhost:3000, http://localhost:3000"
            )
        );
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-origin", "*")
                ],
                false
            ),
            d(CorsError::MultipleAllowOriginValues, "*, *")
        );
        // `null` pages match `null` (and `*`).
        assert!(cors_check(
            &map(&[("access-control-allow-origin", "null")]),
            "null",
            false
        )
        .is_ok());
    }

    #[test]
    fn credentials() {
        let d = |e, v: &str| Some((e, Some(v.to_owned())));
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-credentials", "true")
                ],
                true
            ),
            d(CorsError::WildcardOriginNotAllowed, "*")
        );
        assert_eq!(
            err(&[("access-control-allow-origin", O)], true),
            d(CorsError::InvalidAllowCredentials, "")
        );
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-credentials", "True")
                ],
                true
            ),
            d(CorsError::InvalidAllowCredentials, "True")
        );
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-allow-credentials", "true")
                ],
                true
            ),
            d(CorsError::InvalidAllowCredentials, "true, true")
        );
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", O),
                    ("access-control-allow-credentials", "true")
                ],
                true
            ),
            None
        );
        // ACAC is ignored without credentials: omit + `*` + `true` is shared.
        assert_eq!(
            err(
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-credentials", "true")
                ],
                false
            ),
            None
        );
    }

    #[test]
    fn exposure() {
        let h = map(&[
            ("content-type", "text/plain"),
            ("x-total", "3"),
            ("x-secret", "s"),
            ("set-cookie", "a=b"),
            ("access-control-expose-headers", "X-Total, Set-Cookie"),
        ]);
        let e = Exposure::cors(&h, false);
        assert_eq!(e.readable(&h), vec!["content-type", "x-total"]);
        let star = map(&[
            ("x-a", "1"),
            ("set-cookie", "a"),
            ("access-control-expose-headers", "*"),
        ]);
        assert_eq!(
            Exposure::cors(&star, false).readable(&star),
            vec!["access-control-expose-headers", "x-a"]
        );
        // With credentials `*` is only a literal name.
        assert!(Exposure::cors(&star, true).readable(&star).is_empty());
        let bad = map(&[("x-a", "1"), ("access-control-expose-headers", "x-a;x-b")]);
        assert!(Exposure::cors(&bad, false).readable(&bad).is_empty());
        assert_eq!(
            Exposure::basic().readable(&star),
            vec!["access-control-expose-headers", "x-a"]
        );
    }
}
