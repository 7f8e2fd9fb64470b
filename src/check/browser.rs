//! [`Browser`]: the model's state (mode, preflight cache, virtual clock)
//! and the fetch algorithm that ties the checks together.

use std::fmt::Display;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use tower_service::Service;

use super::cache::PreflightCache;
use super::cors_check::{cors_check, Exposure};
use super::error::{Blocked, CorsError};
use super::preflight::check_preflight_response;
use super::request::BrowserRequest;
use super::verdict::{Preflight, Verdict};
use super::Mode;

/// A model browser: one [`Mode`], one preflight cache, one virtual clock.
///
/// Use [`Browser::fetch`] against an in-process tower service, or
/// [`Browser::check_preflight`] / [`Browser::check_response`] on responses
/// obtained elsewhere (a live server, a real browser's network log).
///
/// ```
/// use std::time::Duration;
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use tower_cors::check::{Browser, BrowserRequest, Mode};
///
/// let mut browser = Browser::new(Mode::Chromium);
/// let req = BrowserRequest::new("http://localhost:3000", "DELETE", "http://api.test/items/7")?;
///
/// let mut preflight = HeaderMap::new();
/// preflight.insert("access-control-allow-origin", HeaderValue::from_static("http://localhost:3000"));
/// preflight.insert("access-control-allow-methods", HeaderValue::from_static("GET, DELETE"));
/// preflight.insert("access-control-max-age", HeaderValue::from_static("60"));
/// browser.check_preflight(&req, StatusCode::NO_CONTENT, &preflight).unwrap();
/// assert!(browser.preflight_cached(&req));
/// browser.advance(Duration::from_secs(60));
/// assert!(!browser.preflight_cached(&req));
/// # Ok::<(), tower_cors::check::CheckError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Browser {
    mode: Mode,
    now: Duration,
    cache: PreflightCache,
}

/// What went wrong while talking to the service.
enum CallError {
    Build(String),
    Service(String),
}

impl CallError {
    fn into_blocked(self) -> Blocked {
        match self {
            CallError::Build(e) => Blocked::with(
                CorsError::InvalidResponse,
                format!("the model could not build the request: {e}"),
            ),
            CallError::Service(e) => Blocked::with(CorsError::InvalidResponse, e),
        }
    }
}

async fn call<S, B, RB>(service: &mut S, request: Request<B>) -> Result<Response<RB>, CallError>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Display,
{
    std::future::poll_fn(|cx| service.poll_ready(cx))
        .await
        .map_err(|e| CallError::Service(e.to_string()))?;
    service
        .call(request)
        .await
        .map_err(|e| CallError::Service(e.to_string()))
}

fn build<B: Default>(
    method: &str,
    req: &BrowserRequest,
    headers: &[(String, Vec<u8>)],
) -> Result<Request<B>, CallError> {
    let mut builder = Request::builder()
        .method(method)
        .uri(req.url.path_and_query.as_str());
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| CallError::Build(format!("{name}: {e}")))?;
        let value =
            HeaderValue::from_bytes(value).map_err(|e| CallError::Build(format!("{name}: {e}")))?;
        builder = builder.header(name, value);
    }
    builder
        .body(B::default())
        .map_err(|e| CallError::Build(e.to_string()))
}

impl Browser {
    /// A browser with an empty preflight cache at virtual time zero.
    pub fn new(mode: Mode) -> Self {
        Browser {
            mode,
            now: Duration::ZERO,
            cache: PreflightCache::default(),
        }
    }

    /// The mode this browser models.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Moves the virtual clock forward (preflight cache entries expire).
    pub fn advance(&mut self, d: std::time::Duration) {
        self.now = self.now.saturating_add(d);
    }

    /// Empties the preflight cache (like a fresh browser profile).
    pub fn clear_cache(&mut self) {
        self.cache.clear();
    }

    /// The headers of the preflight request for `req`, in order: `Host`,
    /// `Origin`, `Accept: */*`, `Access-Control-Request-Method` and, when
    /// there are CORS-unsafe names, `Access-Control-Request-Headers`. No
    /// cookies or other credentials, whatever the credentials mode.
    pub fn preflight_request_headers(&self, req: &BrowserRequest) -> Vec<(String, Vec<u8>)> {
        let mut h = vec![
            ("host".to_owned(), req.url.authority.as_bytes().to_vec()),
            ("origin".to_owned(), req.origin().as_bytes().to_vec()),
            ("accept".to_owned(), b"*/*".to_vec()),
            (
                "access-control-request-method".to_owned(),
                req.method.as_bytes().to_vec(),
            ),
        ];
        if let Some(acrh) = req.preflight_request_headers_in(self.mode) {
            h.push((
                "access-control-request-headers".to_owned(),
                acrh.into_bytes(),
            ));
        }
        h
    }

    /// The headers of the actual request for `req`, in order: `Host`,
    /// `Origin` (cross-origin, or same-origin with a method other than GET
    /// and HEAD), the script's headers (Chromium mode joins a repeated name
    /// into one value), and `Accept: */*` unless the script set `Accept`.
    /// Never a `Cookie`: the model has no cookie jar.
    pub fn actual_request_headers(&self, req: &BrowserRequest) -> Vec<(String, Vec<u8>)> {
        let mut h = vec![("host".to_owned(), req.url.authority.as_bytes().to_vec())];
        if req.is_cross_origin() || !(req.method == "GET" || req.method == "HEAD") {
            h.push(("origin".to_owned(), req.origin().as_bytes().to_vec()));
        }
        h.extend(req.header_list(self.mode));
        h
    }

    /// Runs `req` against an in-process service the way the browser would:
    /// the preflight (`OPTIONS` with `Origin`, `Accept: */*`, ACRM and
    /// ACRH) unless not needed or cached, then the actual request (with
    /// `Origin`, the script's headers, no cookies, an empty `B::default()`
    /// body), applying every check and updating the preflight cache.
    ///
    /// The request URI is origin-form (`/path?query`) with a `Host`
    /// header, as a server behind hyper sees it. A service error becomes
    /// `InvalidResponse` with the error text as detail. Redirects on the
    /// actual request are checked as one hop (the CORS check applies to the
    /// redirect response) but not followed.
    pub async fn fetch<S, B, RB>(&mut self, service: &mut S, req: &BrowserRequest) -> Verdict
    where
        S: Service<Request<B>, Response = Response<RB>>,
        S::Error: Display,
        B: Default,
    {
        if !req.url.is_http() {
            return self.check_response_inner(req, None, &HeaderMap::new());
        }
        let needs_preflight = req.needs_preflight_in(self.mode);
        let mut preflight = Preflight::NotNeeded;
        if needs_preflight {
            if self.cache.can_skip(self.mode, self.now, req) {
                preflight = Preflight::Cached;
            } else {
                preflight = Preflight::Sent {
                    method: req.preflight_request_method(),
                    headers: req.preflight_request_headers_in(self.mode),
                };
                let outcome = match build::<B>("OPTIONS", req, &self.preflight_request_headers(req))
                {
                    Ok(r) => call(service, r).await,
                    Err(e) => Err(e),
                };
                let checked = match outcome {
                    Ok(res) => self.check_preflight(req, res.status(), res.headers()),
                    Err(e) => Err(e.into_blocked()),
                };
                if let Err(blocked) = checked {
                    self.cache.clear_for(req);
                    return blocked_verdict(req, preflight, None, blocked);
                }
            }
        }
        let outcome = match build::<B>(req.method(), req, &self.actual_request_headers(req)) {
            Ok(r) => call(service, r).await,
            Err(e) => Err(e),
        };
        let mut verdict = match outcome {
            Ok(res) => self.check_response(req, res.status(), res.headers()),
            Err(e) => blocked_verdict(req, Preflight::NotNeeded, None, e.into_blocked()),
        };
        if needs_preflight && !verdict.allowed {
            self.cache.clear_for(req);
        }
        verdict.preflight = preflight;
        verdict
    }

    /// Checks a preflight response for `req` (redirect, CORS check with the
    /// actual request's credentials mode, ok status, Allow-Methods and
    /// Allow-Headers) and, on success, stores cache entries. On failure the
    /// cache entries for the request's origin and URL are cleared.
    pub fn check_preflight(
        &mut self,
        req: &BrowserRequest,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<(), Blocked> {
        match check_preflight_response(self.mode, req, status, headers) {
            Ok(allowed) => {
                self.cache.store(self.mode, self.now, req, &allowed);
                Ok(())
            }
            Err(blocked) => {
                self.cache.clear_for(req);
                Err(blocked)
            }
        }
    }

    /// The CORS check on an actual response and which headers script may
    /// read. Same-origin responses pass without CORS checks. The verdict's
    /// `preflight` is [`Preflight::NotNeeded`]: the caller knows the rest.
    pub fn check_response(
        &self,
        req: &BrowserRequest,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Verdict {
        self.check_response_inner(req, Some(status), headers)
    }

    fn check_response_inner(
        &self,
        req: &BrowserRequest,
        status: Option<StatusCode>,
        headers: &HeaderMap,
    ) -> Verdict {
        if !req.url.is_http() {
            let blocked = Blocked::with(CorsError::CorsDisabledScheme, req.url.scheme.clone());
            return blocked_verdict(req, Preflight::NotNeeded, None, blocked);
        }
        let exposure = if req.is_cross_origin() {
            if let Err(blocked) = cors_check(headers, req.origin(), req.includes_credentials()) {
                return blocked_verdict(req, Preflight::NotNeeded, status, blocked);
            }
            Exposure::cors(headers, req.includes_credentials())
        } else {
            Exposure::basic()
        };
        Verdict {
            allowed: true,
            preflight: Preflight::NotNeeded,
            status,
            readable_headers: exposure.readable(headers),
            unreadable_requested: req
                .requested_reads()
                .iter()
                .filter(|n| !exposure.allows(n))
                .cloned()
                .collect(),
            blocked: None,
        }
    }

    /// Whether the preflight cache would let `req` skip its preflight now.
    /// `false` when `req` needs no preflight at all.
    pub fn preflight_cached(&self, req: &BrowserRequest) -> bool {
        req.needs_preflight_in(self.mode) && self.cache.can_skip(self.mode, self.now, req)
    }
}

fn blocked_verdict(
    req: &BrowserRequest,
    preflight: Preflight,
    status: Option<StatusCode>,
    blocked: Blocked,
) -> Verdict {
    Verdict {
        allowed: false,
        preflight,
        status,
        readable_headers: Vec::new(),
        unreadable_requested: req.requested_reads().to_vec(),
        blocked: Some(blocked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Credentials;

    const O: &str = "http://localhost:3000";

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn request_headers() {
        let b = Browser::new(Mode::Spec);
        let r = BrowserRequest::new(O, "put", "http://api.test:8080/x?y")
            .unwrap()
            .header("X-B", "1")
            .unwrap()
            .header("X-A", "2")
            .unwrap();
        let s = |v: Vec<(String, Vec<u8>)>| -> Vec<(String, String)> {
            v.into_iter()
                .map(|(n, v)| (n, String::from_utf8(v).unwrap()))
                .collect()
        };
        let p = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            s(b.preflight_request_headers(&r)),
            vec![
                p("host", "api.test:8080"),
                p("origin", O),
                p("accept", "*/*"),
                p("access-control-request-method", "PUT"),
                p("access-control-request-headers", "x-a,x-b"),
            ]
        );
        assert_eq!(
            s(b.actual_request_headers(&r)),
            vec![
                p("host", "api.test:8080"),
                p("origin", O),
                p("x-b", "1"),
                p("x-a", "2"),
                p("accept", "*/*")
            ]
        );
        let same = BrowserRequest::new(O, "GET", "http://localhost:3000/").unwrap();
        assert!(!b
            .actual_request_headers(&same)
            .iter()
            .any(|(n, _)| n == "origin"));
        let same_post = BrowserRequest::new(O, "POST", "http://localhost:3000/").unwrap();
        assert!(b
            .actual_request_headers(&same_post)
            .iter()
            .any(|(n, _)| n == "origin"));
    }

    #[test]
    fn check_response_paths() {
        let b = Browser::new(Mode::Chromium);
        let r = BrowserRequest::new(O, "GET", "http://api.test/")
            .unwrap()
            .read_header("X-Total")
            .read_header("content-type");
        let v = b.check_response(
            &r,
            StatusCode::OK,
            &map(&[("content-type", "a/b"), ("x-total", "1")]),
        );
        assert_eq!(
            v.blocked.map(|b| b.error),
            Some(CorsError::MissingAllowOriginHeader)
        );
        assert_eq!(v.unreadable_requested, vec!["x-total", "content-type"]);
        let v = b.check_response(
            &r,
            StatusCode::NOT_FOUND,
            &map(&[
                ("access-control-allow-origin", "*"),
                ("content-type", "a/b"),
                ("x-total", "1"),
            ]),
        );
        assert!(v.allowed);
        assert_eq!(v.status, Some(StatusCode::NOT_FOUND));
        assert_eq!(v.readable_headers, vec!["content-type"]);
        assert_eq!(v.unreadable_requested, vec!["x-total"]);
        let ftp = BrowserRequest::new(O, "GET", "ftp://files.test/x").unwrap();
        let v = b.check_response(&ftp, StatusCode::OK, &HeaderMap::new());
        assert_eq!(
            v.blocked,
            Some(Blocked::new(CorsError::CorsDisabledScheme, Some("ftp")))
        );
        let same = BrowserRequest::new(O, "GET", "http://localhost:3000/")
            .unwrap()
            .credentials(Credentials::Include);
        let v = b.check_response(
            &same,
            StatusCode::OK,
            &map(&[("x-a", "1"), ("set-cookie", "a=b")]),
        );
        assert!(v.allowed);
        assert_eq!(v.readable_headers, vec!["x-a"]);
    }

    #[test]
    fn failed_preflight_clears_cache_and_clock_expires() {
        let mut b = Browser::new(Mode::Spec);
        let r = BrowserRequest::new(O, "PUT", "http://api.test/").unwrap();
        let good = map(&[
            ("access-control-allow-origin", O),
            ("access-control-allow-methods", "PUT"),
        ]);
        b.check_preflight(&r, StatusCode::NO_CONTENT, &good)
            .unwrap();
        assert!(b.preflight_cached(&r));
        b.advance(Duration::from_secs(4));
        assert!(b.preflight_cached(&r));
        assert!(b
            .check_preflight(&r, StatusCode::FORBIDDEN, &HeaderMap::new())
            .is_err());
        assert!(!b.preflight_cached(&r));
        b.check_preflight(&r, StatusCode::NO_CONTENT, &good)
            .unwrap();
        b.clear_cache();
        assert!(!b.preflight_cached(&r));
        // A simple request is never "cached": it needs no preflight.
        let simple = BrowserRequest::new(O, "GET", "http://api.test/").unwrap();
        assert!(!b.preflight_cached(&simple));
    }
}
