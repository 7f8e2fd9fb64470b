//! [`BrowserRequest`]: what a page's script asks `fetch()` (or XHR) to do.

use super::error::CheckError;
use super::safelist::{
    forbidden_reason, is_forbidden_method, is_safelisted_method, is_token, normalize_method,
    unsafe_names,
};
use super::url::{parse_origin, parse_url, Origin, Url};
use super::{BodyKind, Credentials, Mode};

/// A request as a page's script makes it: the page origin, method, URL,
/// the headers the script sets, credentials mode, body kind, and the
/// response headers the script wants to read.
///
/// The model always uses request mode `cors` (what `fetch()` and XHR use
/// for cross-origin URLs) and never sends cookies (the model has none).
///
/// ```
/// use tower_cors::check::{BrowserRequest, Credentials};
///
/// let req = BrowserRequest::new("http://localhost:3000", "put", "http://api.test/items/1")?
///     .header("Content-Type", "application/json")?
///     .header("X-Request-Id", "42")?
///     .credentials(Credentials::Include);
/// assert!(req.is_cross_origin());
/// assert!(req.needs_preflight());
/// assert_eq!(req.preflight_request_method(), "PUT"); // `put` is normalized
/// assert_eq!(req.preflight_request_headers().as_deref(), Some("content-type,x-request-id"));
/// # Ok::<(), tower_cors::check::CheckError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BrowserRequest {
    pub(crate) origin: Origin,
    pub(crate) method: String,
    pub(crate) url: Url,
    /// Script-set headers in the order set: (lower-case name, name as written, value bytes).
    pub(crate) headers: Vec<(String, String, Vec<u8>)>,
    pub(crate) credentials: Credentials,
    pub(crate) body: BodyKind,
    pub(crate) upload_listeners: bool,
    pub(crate) read: Vec<String>,
    /// Set by a redirect: the origin serializes as `null` from now on.
    pub(crate) tainted: bool,
    /// Set by a redirect from a cross-origin URL: the response tainting is
    /// `cors` for every later hop, even one back to the page's origin.
    pub(crate) cors_flag: bool,
}

impl BrowserRequest {
    /// A request from a page at `page_origin` (`http://localhost:3000`, or
    /// `null` for an opaque origin such as a sandboxed iframe or a `file:`
    /// page) to the absolute `url`.
    ///
    /// The method is normalized as `fetch()` does (`put` becomes `PUT`, but
    /// `patch` stays `patch`). Errors: a malformed origin or URL, a method
    /// that is not a token, or a forbidden method (CONNECT, TRACE, TRACK),
    /// for which `fetch()` throws too. A URL with a scheme other than http(s)
    /// is accepted and later blocked with `CorsDisabledScheme`.
    pub fn new(page_origin: &str, method: &str, url: &str) -> Result<Self, CheckError> {
        let origin = parse_origin(page_origin)?;
        if !is_token(method.as_bytes()) {
            return Err(CheckError::new("method", method, "not an HTTP token"));
        }
        if is_forbidden_method(method) {
            return Err(CheckError::new(
                "method",
                method,
                "a forbidden method: fetch() throws a TypeError for CONNECT, TRACE and TRACK",
            ));
        }
        let url = parse_url(url)?;
        Ok(BrowserRequest {
            origin,
            method: normalize_method(method),
            url,
            headers: Vec::new(),
            credentials: Credentials::SameOrigin,
            body: BodyKind::None,
            upload_listeners: false,
            read: Vec::new(),
            tainted: false,
            cors_flag: false,
        })
    }

    /// Appends a header the script sets (like `Headers.append`: setting a
    /// name twice keeps both values). The value is normalized (leading and
    /// trailing HTTP whitespace removed) as `fetch()` does.
    ///
    /// A forbidden request-header (`Cookie`, `Origin`, `Host`, `Sec-*`, ...)
    /// is an error here, although `fetch()` silently drops it: a test that
    /// sets one almost always assumes it reaches the server, and a silent
    /// drop would make that test pass for the wrong reason.
    ///
    /// Other errors: a name that is not a token, a value with NUL, CR or LF
    /// (fetch() throws), a character above U+00FF (not a ByteString), or a
    /// control character the `http` crate cannot carry.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, CheckError> {
        if !is_token(name.as_bytes()) {
            return Err(CheckError::new("header name", name, "not an HTTP token"));
        }
        let mut bytes = Vec::with_capacity(value.len());
        for c in value.chars() {
            let code = u32::from(c);
            if code > 0xff {
                return Err(CheckError::new(
                    "header value",
                    value,
                    "has a character above U+00FF: fetch() throws (header values are ByteStrings)",
                ));
            }
            bytes.push(code as u8);
        }
        let ws = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | b' ');
        let start = bytes.iter().position(|b| !ws(b)).unwrap_or(bytes.len());
        let end = bytes.iter().rposition(|b| !ws(b)).map_or(start, |p| p + 1);
        let bytes = bytes[start..end.max(start)].to_vec();
        if bytes.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
            return Err(CheckError::new(
                "header value",
                value,
                "contains NUL, CR or LF: fetch() throws",
            ));
        }
        if http::HeaderValue::from_bytes(&bytes).is_err() {
            return Err(CheckError::new(
                "header value",
                value,
                "contains a control character that the http crate cannot send (the model cannot exercise it)",
            ));
        }
        let lower = name.to_ascii_lowercase();
        if let Some(why) = forbidden_reason(&lower, &bytes) {
            return Err(CheckError::new(
                "header name",
                name,
                format!("{why}; fetch() would silently drop it, so the server would never see it"),
            ));
        }
        self.headers.push((lower, name.to_owned(), bytes));
        Ok(self)
    }

    /// The credentials mode (`fetch()` default: [`Credentials::SameOrigin`]).
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials = c;
        self
    }

    /// The request body kind. A [`BodyKind::Stream`] (ReadableStream) body
    /// forces a preflight. GET and HEAD cannot have a body (`fetch()`
    /// throws), so the model ignores it for them.
    pub fn body(mut self, b: BodyKind) -> Self {
        self.body = b;
        self
    }

    /// Whether XHR upload listeners are registered; with a body this forces
    /// a preflight (XHR sets the use-CORS-preflight flag).
    pub fn upload_listeners(mut self, yes: bool) -> Self {
        self.upload_listeners = yes;
        self
    }

    /// A response header the script wants to read (`response.headers.get`).
    /// The verdict reports whether it may.
    pub fn read_header(mut self, name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if !self.read.contains(&lower) {
            self.read.push(lower);
        }
        self
    }

    /// Whether the URL's origin differs from the page origin (an opaque
    /// `null` page is cross-origin with everything).
    pub fn is_cross_origin(&self) -> bool {
        if self.cors_flag {
            return true;
        }
        match (&self.origin, self.url.origin()) {
            (Origin::Tuple(page), Some(target)) => *page != target,
            _ => true,
        }
    }

    /// Whether a CORS preflight is needed, ignoring the preflight cache,
    /// computed by the Fetch standard (see [`BrowserRequest::needs_preflight_in`]).
    pub fn needs_preflight(&self) -> bool {
        self.needs_preflight_in(Mode::Spec)
    }

    /// [`BrowserRequest::needs_preflight`] as a given browser mode computes
    /// it (Chromium merges repeated headers before the safelist checks).
    pub fn needs_preflight_in(&self, mode: Mode) -> bool {
        self.is_cross_origin()
            && self.url.is_http()
            && (self.use_cors_preflight_flag()
                || !is_safelisted_method(&self.method)
                || !self.unsafe_names(mode).is_empty())
    }

    /// The `Access-Control-Request-Method` value a preflight would carry:
    /// the normalized method.
    pub fn preflight_request_method(&self) -> String {
        self.method.clone()
    }

    /// The `Access-Control-Request-Headers` value a preflight would carry
    /// (sorted, lower-case, joined with `,` and no space), or `None` when
    /// there are no CORS-unsafe names and the header is not sent. Computed
    /// by the Fetch standard; see [`BrowserRequest::preflight_request_headers_in`].
    pub fn preflight_request_headers(&self) -> Option<String> {
        self.preflight_request_headers_in(Mode::Spec)
    }

    /// [`BrowserRequest::preflight_request_headers`] for a given browser mode.
    pub fn preflight_request_headers_in(&self, mode: Mode) -> Option<String> {
        let mut names = self.unsafe_names(mode);
        if names.is_empty() {
            return None;
        }
        names.sort();
        Some(names.join(","))
    }

    /// The method after normalization.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The serialized page origin (`Origin` request header value).
    pub fn origin(&self) -> &str {
        if self.tainted {
            "null"
        } else {
            self.origin.serialize()
        }
    }

    /// The URL as serialized by the model (fragment dropped, default port
    /// dropped, host lower-cased). This is the preflight cache key URL.
    pub fn url(&self) -> &str {
        &self.url.serialized
    }

    /// The script-set headers, in order, as (name as written, value).
    pub fn script_headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers
            .iter()
            .map(|(_, n, v)| (n.as_str(), v.as_slice()))
    }

    /// The response header names (lower-case) given to `read_header`.
    pub fn requested_reads(&self) -> &[String] {
        &self.read
    }

    /// The credentials mode.
    pub fn credentials_mode(&self) -> Credentials {
        self.credentials
    }

    pub(crate) fn includes_credentials(&self) -> bool {
        self.credentials == Credentials::Include
    }

    /// The effective body: GET and HEAD never have one.
    pub(crate) fn effective_body(&self) -> &BodyKind {
        if self.method == "GET" || self.method == "HEAD" {
            &BodyKind::None
        } else {
            &self.body
        }
    }

    /// The use-CORS-preflight flag: a ReadableStream body, or XHR upload
    /// listeners on a request with a body (XHR ignores listeners without one).
    pub(crate) fn use_cors_preflight_flag(&self) -> bool {
        match self.effective_body() {
            BodyKind::Stream => true,
            BodyKind::Bytes => self.upload_listeners,
            BodyKind::None => false,
        }
    }

    /// The header list the unsafe-names computation sees: script headers
    /// plus the default `Accept: */*` fetch() appends before main fetch.
    /// Chromium carries repeated names as one comma-joined value.
    pub(crate) fn header_list(&self, mode: Mode) -> Vec<(String, Vec<u8>)> {
        let mut list: Vec<(String, Vec<u8>)> = Vec::new();
        for (lower, _, value) in &self.headers {
            match mode {
                Mode::Chromium => {
                    if let Some((_, v)) = list.iter_mut().find(|(n, _)| n == lower) {
                        v.extend_from_slice(b", ");
                        v.extend_from_slice(value);
                        continue;
                    }
                    list.push((lower.clone(), value.clone()));
                }
                Mode::Spec => list.push((lower.clone(), value.clone())),
            }
        }
        if !list.iter().any(|(n, _)| n == "accept") {
            list.push(("accept".to_owned(), b"*/*".to_vec()));
        }
        list
    }

    pub(crate) fn unsafe_names(&self, mode: Mode) -> Vec<String> {
        unsafe_names(&self.header_list(mode))
    }

    pub(crate) fn has_header(&self, lower: &str) -> bool {
        self.headers.iter().any(|(n, _, _)| n == lower)
    }

    /// Whether the page's origin is the same as `url`'s (never for `null`).
    pub(crate) fn page_same_origin_with(&self, url: &Url) -> bool {
        matches!((&self.origin, url.origin()), (Origin::Tuple(p), Some(u)) if *p == u)
    }

    /// The request the browser sends after a redirect (the Fetch standard's
    /// *HTTP-redirect fetch*, steps 12 to 16): the method rewrite, the body
    /// and request-body headers dropped with it, `Authorization` dropped on
    /// a hop to another origin, and the redirect-taint and CORS flags.
    /// Returns the next request and whether `Authorization` was dropped.
    pub(crate) fn redirected(&self, status: u16, to: Url) -> (BrowserRequest, bool) {
        let mut next = self.clone();
        let to_get = match status {
            301 | 302 => self.method == "POST",
            303 => self.method != "GET" && self.method != "HEAD",
            _ => false,
        };
        if to_get {
            next.method = "GET".to_owned();
            next.body = BodyKind::None;
            next.headers.retain(|(n, _, _)| {
                !matches!(
                    n.as_str(),
                    "content-encoding" | "content-language" | "content-location" | "content-type"
                )
            });
        }
        let hop_changes_origin = self.url.origin() != to.origin();
        let mut dropped = false;
        if hop_changes_origin && next.has_header("authorization") {
            next.headers.retain(|(n, _, _)| n != "authorization");
            dropped = true;
        }
        // Redirect-taint: a hop to another origin from a URL that is not
        // same-origin with the page.
        if hop_changes_origin && !self.page_same_origin_with(&self.url) {
            next.tainted = true;
        }
        // Response tainting `cors` sticks once a URL was cross-origin.
        if self.is_cross_origin() {
            next.cors_flag = true;
        }
        next.url = to;
        (next, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> BrowserRequest {
        BrowserRequest::new("http://localhost:3000", "GET", url).unwrap()
    }

    #[test]
    fn cross_origin() {
        assert!(!get("http://localhost:3000/api").is_cross_origin());
        assert!(!get("http://LOCALHOST:3000/api").is_cross_origin());
        assert!(get("http://127.0.0.1:3000/api").is_cross_origin());
        assert!(get("http://localhost:3001/api").is_cross_origin());
        assert!(get("https://localhost:3000/api").is_cross_origin());
        let null = BrowserRequest::new("null", "GET", "http://localhost:3000/").unwrap();
        assert!(null.is_cross_origin());
        assert_eq!(null.origin(), "null");
        let default_port =
            BrowserRequest::new("http://a.test:80", "GET", "http://a.test/").unwrap();
        assert!(!default_port.is_cross_origin());
    }

    #[test]
    fn simple_requests_need_no_preflight() {
        let r = get("http://api.test/");
        assert!(!r.needs_preflight());
        assert_eq!(r.preflight_request_headers(), None);
        let r = BrowserRequest::new("http://localhost:3000", "post", "http://api.test/")
            .unwrap()
            .header("Content-Type", "text/plain;charset=UTF-8")
            .unwrap()
            .header("Accept-Language", "en")
            .unwrap()
            .header("Range", "bytes=0-10")
            .unwrap()
            .body(BodyKind::Bytes);
        assert_eq!(r.method(), "POST");
        assert!(!r.needs_preflight());
        // Same-origin never preflights.
        let r = BrowserRequest::new("http://localhost:3000", "DELETE", "http://localhost:3000/x")
            .unwrap()
            .header("X-Custom", "1")
            .unwrap();
        assert!(!r.needs_preflight());
    }

    #[test]
    fn preflight_triggers_and_acrh() {
        let r = BrowserRequest::new("http://localhost:3000", "patch", "http://api.test/").unwrap();
        assert!(r.needs_preflight());
        assert_eq!(r.preflight_request_method(), "patch");
        assert_eq!(r.preflight_request_headers(), None);

        let r = get("http://api.test/")
            .header("X-Zeta", "1")
            .unwrap()
            .header("Authorization", "Bearer t")
            .unwrap()
            .header("content-type", "application/json")
            .unwrap()
            .header("X-Alpha", "2")
            .unwrap()
            .header("Accept", "application/json")
            .unwrap()
            .header("X-ZETA", "3")
            .unwrap();
        assert!(r.needs_preflight());
        assert_eq!(
            r.preflight_request_headers().as_deref(),
            Some("authorization,content-type,x-alpha,x-zeta")
        );
    }

    #[test]
    fn use_cors_preflight_flag() {
        let post =
            BrowserRequest::new("http://localhost:3000", "POST", "http://api.test/").unwrap();
        assert!(post.clone().body(BodyKind::Stream).needs_preflight());
        assert!(post
            .clone()
            .body(BodyKind::Bytes)
            .upload_listeners(true)
            .needs_preflight());
        // Upload listeners without a body do not set the flag.
        assert!(!post.clone().upload_listeners(true).needs_preflight());
        assert!(!post.body(BodyKind::Bytes).needs_preflight());
        // GET cannot carry a body.
        assert!(!get("http://api.test/")
            .body(BodyKind::Stream)
            .needs_preflight());
    }

    #[test]
    fn chromium_merges_repeated_headers() {
        let v = "a".repeat(100);
        let r = get("http://api.test/")
            .header("Accept-Language", &v)
            .unwrap()
            .header("Accept-Language", &v)
            .unwrap();
        // Spec: each 100-byte entry is safelisted on its own.
        assert!(!r.needs_preflight_in(Mode::Spec));
        // Chromium: one 202-byte value, over 128.
        assert!(r.needs_preflight_in(Mode::Chromium));
        assert_eq!(
            r.preflight_request_headers_in(Mode::Chromium).as_deref(),
            Some("accept-language")
        );
    }

    #[test]
    fn total_1024_counts_the_default_accept() {
        // Eight 128-byte entries = 1024 bytes, plus the default `Accept: */*` (3 bytes).
        let v = "a".repeat(128);
        let mut r = get("http://api.test/");
        for _ in 0..8 {
            r = r.header("Content-Language", &v).unwrap();
        }
        assert!(r.needs_preflight_in(Mode::Spec));
        assert_eq!(
            r.preflight_request_headers().as_deref(),
            Some("accept,content-language")
        );
        // With a short explicit Accept instead, the sum is 1025 as well.
        let mut r = get("http://api.test/").header("Accept", "x").unwrap();
        for _ in 0..8 {
            r = r.header("Content-Language", &v).unwrap();
        }
        assert_eq!(
            r.preflight_request_headers().as_deref(),
            Some("accept,content-language")
        );
        // Seven entries + default Accept = 899 bytes: no preflight.
        let mut r = get("http://api.test/");
        for _ in 0..7 {
            r = r.header("Content-Language", &v).unwrap();
        }
        assert!(!r.needs_preflight());
    }

    #[test]
    fn rejected_inputs() {
        let base = || get("http://api.test/");
        for (n, v) in [
            ("Cookie", "a=b"),
            ("Origin", "http://evil.test"),
            ("Host", "x"),
            ("Sec-Fetch-Site", "none"),
            ("Proxy-Authorization", "x"),
            ("Access-Control-Request-Method", "PUT"),
            ("Content-Length", "3"),
            ("X-HTTP-Method-Override", "TRACE"),
            ("Bad Name", "x"),
            ("X-A", "a\nb"),
            ("X-A", "\u{263a}"),
            ("X-A", "a\u{1}b"),
        ] {
            let e = base().header(n, v).unwrap_err();
            assert!(
                e.to_string().contains(if n == "X-A" { v } else { n }),
                "{e}"
            );
        }
        assert!(BrowserRequest::new("http://localhost:3000", "TRACE", "http://api.test/").is_err());
        assert!(BrowserRequest::new("http://localhost:3000", "GE T", "http://api.test/").is_err());
        // Value whitespace is trimmed; Latin-1 is accepted as single bytes.
        let r = base()
            .header("X-A", " \t v \r\n")
            .unwrap()
            .header("X-B", "caf\u{e9}")
            .unwrap();
        let hs: Vec<_> = r.script_headers().collect();
        assert_eq!(hs, vec![("X-A", &b"v"[..]), ("X-B", &b"caf\xe9"[..])]);
    }
}
