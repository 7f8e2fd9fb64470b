//! [`Browser`]: the model's state (mode, preflight cache, virtual clock)
//! and the fetch algorithm that ties the checks together.

use std::fmt::Display;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use tower_service::Service;

use super::cache::PreflightCache;
use super::cors_check::{cors_check, get_combined, Exposure};
use super::error::{Blocked, CorsError, NetworkError};
use super::preflight::check_preflight_response;
use super::request::BrowserRequest;
use super::url::{resolve_location, LocationError};
use super::verdict::{Preflight, Redirect, Verdict};
use super::{BodyKind, Mode};

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
    fn into_network_error(self) -> NetworkError {
        match self {
            CallError::Build(e) => {
                NetworkError::Failed(format!("the model could not build the request: {e}"))
            }
            CallError::Service(e) => NetworkError::Failed(e),
        }
    }
}

/// The most redirects one fetch follows (the standard and Chromium).
const MAX_REDIRECTS: usize = 20;

fn is_redirect_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
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
    /// header, as a server behind hyper sees it. A service error is a
    /// [`NetworkError::Failed`] with the error text.
    ///
    /// Redirects of the actual request are followed as the Fetch standard's
    /// *HTTP-redirect fetch* does, every hop sent to the same `service`
    /// (its `Host` header and path say where the browser went): each
    /// redirect response of a cross-origin request gets a CORS check; each
    /// hop that needs one gets its own preflight; 301/302 turn `POST` into
    /// `GET` and 303 anything but `GET`/`HEAD`; a hop to another origin
    /// drops `Authorization` and, from a URL cross-origin to the page,
    /// taints the origin to `null`; a `Location` with userinfo is blocked
    /// (`RedirectContainsCredentials`); the 21st redirect is a network
    /// error. [`Verdict::redirects`] lists the hops.
    pub async fn fetch<S, B, RB>(&mut self, service: &mut S, req: &BrowserRequest) -> Verdict
    where
        S: Service<Request<B>, Response = Response<RB>>,
        S::Error: Display,
        B: Default,
    {
        if !req.url.is_http() {
            return self.check_response_inner(req, None, &HeaderMap::new());
        }
        let mut hops = Hops {
            first_preflight: Preflight::NotNeeded,
            redirects: Vec::new(),
        };
        let mut current = req.clone();
        loop {
            let needs_preflight = current.needs_preflight_in(self.mode);
            if needs_preflight {
                if self.cache.can_skip(self.mode, self.now, &current) {
                    hops.set_preflight(Preflight::Cached);
                } else {
                    hops.set_preflight(Preflight::Sent {
                        method: current.preflight_request_method(),
                        headers: current.preflight_request_headers_in(self.mode),
                    });
                    let outcome = match build::<B>(
                        "OPTIONS",
                        &current,
                        &self.preflight_request_headers(&current),
                    ) {
                        Ok(r) => call(service, r).await,
                        Err(e) => Err(e),
                    };
                    let checked = match outcome {
                        Ok(res) => self
                            .check_preflight(&current, res.status(), res.headers())
                            .map_err(Failure::Cors),
                        Err(e) => {
                            self.cache.clear_for(&current);
                            Err(Failure::Network(e.into_network_error()))
                        }
                    };
                    if let Err(failure) = checked {
                        return hops.finish(failed_verdict(req, None, failure));
                    }
                }
            }
            // Chromium streams a request body only over HTTP/2 or later; the
            // model's service stands for an http:// server, so HTTP/1.1.
            if self.mode == Mode::Chromium && *current.effective_body() == BodyKind::Stream {
                let failure = Failure::Network(NetworkError::StreamUploadOverHttp1);
                return hops.finish(failed_verdict(req, None, failure));
            }
            let outcome = match build::<B>(
                current.method(),
                &current,
                &self.actual_request_headers(&current),
            ) {
                Ok(r) => call(service, r).await,
                Err(e) => Err(e),
            };
            let (status, headers) = match outcome {
                Ok(res) => {
                    let (parts, _) = res.into_parts();
                    (parts.status, parts.headers)
                }
                Err(e) => {
                    self.after_failure(needs_preflight, &current);
                    let failure = Failure::Network(e.into_network_error());
                    return hops.finish(failed_verdict(req, None, failure));
                }
            };
            let location = get_combined(&headers, "location")
                .filter(|_| is_redirect_status(status))
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            let Some(location) = location else {
                let verdict = self.check_response(&current, status, &headers);
                if !verdict.allowed {
                    self.after_failure(needs_preflight, &current);
                }
                return hops.finish(verdict);
            };
            match self.follow(&current, status, &headers, &location, hops.redirects.len()) {
                Ok((next, dropped_authorization)) => {
                    hops.redirects.push(Redirect {
                        status,
                        from: current.url().to_owned(),
                        to: next.url().to_owned(),
                        method: next.method().to_owned(),
                        origin: next.origin().to_owned(),
                        dropped_authorization,
                        preflight: Preflight::NotNeeded,
                    });
                    current = next;
                }
                Err(failure) => {
                    self.after_failure(needs_preflight, &current);
                    return hops.finish(failed_verdict(req, Some(status), failure));
                }
            }
        }
    }

    /// The checks on a redirect response of `current` and the request that
    /// follows it (*HTTP fetch*'s CORS check, then *HTTP-redirect fetch*).
    fn follow(
        &self,
        current: &BrowserRequest,
        status: StatusCode,
        headers: &HeaderMap,
        location: &str,
        followed: usize,
    ) -> Result<(BrowserRequest, bool), Failure> {
        let resolved = resolve_location(&current.url, location).map_err(|e| {
            Failure::Network(match e {
                LocationError::Invalid => NetworkError::InvalidRedirect(location.to_owned()),
                LocationError::NotHttp => NetworkError::UnsafeRedirect(location.to_owned()),
            })
        });
        // Chromium's network stack refuses an unusable Location before its
        // CORS loader sees the redirect; the standard checks CORS first.
        let resolved = match (self.mode, resolved) {
            (Mode::Chromium, Err(failure)) => return Err(failure),
            (_, r) => r,
        };
        if current.is_cross_origin() {
            cors_check(headers, current.origin(), current.includes_credentials())
                .map_err(Failure::Cors)?;
        }
        let resolved = resolved?;
        if followed >= MAX_REDIRECTS {
            return Err(Failure::Network(NetworkError::TooManyRedirects));
        }
        if resolved.userinfo
            && (current.tainted
                || current.is_cross_origin()
                || !current.page_same_origin_with(&resolved.url))
        {
            return Err(Failure::Cors(Blocked::with(
                CorsError::RedirectContainsCredentials,
                location,
            )));
        }
        if status.as_u16() != 303 && *current.effective_body() == BodyKind::Stream {
            return Err(Failure::Network(NetworkError::StreamBodyRedirect));
        }
        Ok(current.redirected(status.as_u16(), resolved.url))
    }

    /// The standard clears the preflight cache entries of a preflighted
    /// fetch that ends in a network error; Chromium 156 keeps them.
    fn after_failure(&mut self, preflighted: bool, current: &BrowserRequest) {
        if preflighted && self.mode == Mode::Spec {
            self.cache.clear_for(current);
        }
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
            network_error: None,
            redirects: Vec::new(),
        }
    }

    /// Whether the preflight cache would let `req` skip its preflight now.
    /// `false` when `req` needs no preflight at all.
    pub fn preflight_cached(&self, req: &BrowserRequest) -> bool {
        req.needs_preflight_in(self.mode) && self.cache.can_skip(self.mode, self.now, req)
    }
}

/// Why a fetch failed: a CORS error or another network error.
enum Failure {
    Cors(Blocked),
    Network(NetworkError),
}

/// The preflight of the first request and the redirects followed so far.
struct Hops {
    first_preflight: Preflight,
    redirects: Vec<Redirect>,
}

impl Hops {
    /// Records the preflight of the request being sent (the first one, or
    /// the one after the last redirect).
    fn set_preflight(&mut self, p: Preflight) {
        match self.redirects.last_mut() {
            Some(r) => r.preflight = p,
            None => self.first_preflight = p,
        }
    }

    fn finish(self, mut verdict: Verdict) -> Verdict {
        verdict.preflight = self.first_preflight;
        verdict.redirects = self.redirects;
        verdict
    }
}

fn failed_verdict(req: &BrowserRequest, status: Option<StatusCode>, failure: Failure) -> Verdict {
    let (blocked, network_error) = match failure {
        Failure::Cors(b) => (Some(b), None),
        Failure::Network(e) => (None, Some(e)),
    };
    Verdict {
        allowed: false,
        preflight: Preflight::NotNeeded,
        status,
        readable_headers: Vec::new(),
        unreadable_requested: req.requested_reads().to_vec(),
        blocked,
        network_error,
        redirects: Vec::new(),
    }
}

fn blocked_verdict(
    req: &BrowserRequest,
    preflight: Preflight,
    status: Option<StatusCode>,
    blocked: Blocked,
) -> Verdict {
    Verdict {
        preflight,
        ..failed_verdict(req, status, Failure::Cors(blocked))
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
