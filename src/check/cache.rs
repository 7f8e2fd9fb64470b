//! The CORS-preflight cache, as the standard describes it and as Chromium
//! implements it. Time is the [`Browser`](super::Browser)'s virtual clock.

use std::time::Duration;

use super::preflight::PreflightAllowance;
use super::request::BrowserRequest;
use super::safelist::is_safelisted_method;
use super::Mode;

/// Chromium does not cache preflights for URLs this long or longer.
const CHROMIUM_MAX_KEY_LENGTH: usize = 1024;

/// The standard's cache: one entry per allowed method or header name,
/// keyed by origin, URL and a credentials flag.
#[derive(Clone, Debug)]
struct SpecEntry {
    origin: String,
    url: String,
    credentials: bool,
    expires: Duration,
    method: Option<String>,
    header: Option<String>,
}

/// Chromium's cache: one result per (origin, URL) that each new preflight
/// replaces, remembering whether it was made for a credentialed request.
#[derive(Clone, Debug)]
struct ChromiumEntry {
    origin: String,
    url: String,
    credentials: bool,
    expires: Duration,
    methods: Vec<String>,
    headers: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct PreflightCache {
    spec: Vec<SpecEntry>,
    chromium: Vec<ChromiumEntry>,
}

impl PreflightCache {
    pub(crate) fn clear(&mut self) {
        self.spec.clear();
        self.chromium.clear();
    }

    fn drop_expired(&mut self, now: Duration) {
        self.spec.retain(|e| now < e.expires);
        self.chromium.retain(|e| now < e.expires);
    }

    /// "Clear cache entries" for the request's origin and URL: done when a
    /// preflighted fetch ends in a network error.
    pub(crate) fn clear_for(&mut self, req: &BrowserRequest) {
        let (o, u) = (req.origin(), req.url());
        self.spec.retain(|e| !(e.origin == o && e.url == u));
        self.chromium.retain(|e| !(e.origin == o && e.url == u));
    }

    pub(crate) fn store(
        &mut self,
        mode: Mode,
        now: Duration,
        req: &BrowserRequest,
        allowed: &PreflightAllowance,
    ) {
        self.drop_expired(now);
        let expires = now.saturating_add(allowed.max_age);
        let credentials = req.includes_credentials();
        match mode {
            Mode::Spec => {
                for m in &allowed.methods {
                    match self.spec_method_match(now, req, m) {
                        Some(i) => self.spec[i].expires = expires,
                        None => self.spec.push(SpecEntry {
                            origin: req.origin().to_owned(),
                            url: req.url().to_owned(),
                            credentials,
                            expires,
                            method: Some(m.clone()),
                            header: None,
                        }),
                    }
                }
                for h in &allowed.headers {
                    match self.spec_header_match(now, req, h) {
                        Some(i) => self.spec[i].expires = expires,
                        None => self.spec.push(SpecEntry {
                            origin: req.origin().to_owned(),
                            url: req.url().to_owned(),
                            credentials,
                            expires,
                            method: None,
                            header: Some(h.clone()),
                        }),
                    }
                }
            }
            Mode::Chromium => {
                if req.url().len() >= CHROMIUM_MAX_KEY_LENGTH {
                    return;
                }
                let (o, u) = (req.origin(), req.url());
                self.chromium.retain(|e| !(e.origin == o && e.url == u));
                self.chromium.push(ChromiumEntry {
                    origin: o.to_owned(),
                    url: u.to_owned(),
                    credentials,
                    expires,
                    methods: allowed.methods.clone(),
                    headers: allowed.headers.clone(),
                });
            }
        }
    }

    /// Cache entry match: same origin and URL, and a credentialed entry
    /// serves any request while a non-credentialed one serves only
    /// non-credentialed requests.
    fn spec_entry_matches(e: &SpecEntry, now: Duration, req: &BrowserRequest) -> bool {
        now < e.expires
            && e.origin == req.origin()
            && e.url == req.url()
            && (e.credentials || !req.includes_credentials())
    }

    fn spec_method_match(
        &self,
        now: Duration,
        req: &BrowserRequest,
        method: &str,
    ) -> Option<usize> {
        self.spec.iter().position(|e| {
            Self::spec_entry_matches(e, now, req)
                && e.method.as_deref().is_some_and(|m| m == method || m == "*")
        })
    }

    fn spec_header_match(&self, now: Duration, req: &BrowserRequest, name: &str) -> Option<usize> {
        self.spec.iter().position(|e| {
            Self::spec_entry_matches(e, now, req)
                && e.header.as_deref().is_some_and(|h| {
                    h.eq_ignore_ascii_case(name)
                        || (h == "*" && !name.eq_ignore_ascii_case("authorization"))
                })
        })
    }

    /// Whether the cache lets `req` skip its preflight.
    pub(crate) fn can_skip(&self, mode: Mode, now: Duration, req: &BrowserRequest) -> bool {
        let method = req.method();
        match mode {
            Mode::Spec => {
                let method_needed = !is_safelisted_method(method) || req.use_cors_preflight_flag();
                if method_needed && self.spec_method_match(now, req, method).is_none() {
                    return false;
                }
                req.unsafe_names(mode)
                    .iter()
                    .all(|n| self.spec_header_match(now, req, n).is_some())
            }
            Mode::Chromium => {
                let Some(e) = self
                    .chromium
                    .iter()
                    .find(|e| e.origin == req.origin() && e.url == req.url())
                else {
                    return false;
                };
                if now >= e.expires || (!e.credentials && req.includes_credentials()) {
                    return false;
                }
                let star = |list: &[String]| !e.credentials && list.iter().any(|x| x == "*");
                if !(e.methods.iter().any(|m| m == method)
                    || is_safelisted_method(method)
                    || star(&e.methods))
                {
                    return false;
                }
                // Unlike the check of a fresh preflight response, Chromium's
                // cache lookup never lets a `*` entry cover Authorization
                // (observed in Chromium 156).
                let star_headers = star(&e.headers);
                req.unsafe_names(mode)
                    .iter()
                    .all(|n| e.headers.contains(n) || (star_headers && n != "authorization"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Credentials;

    const O: &str = "http://localhost:3000";
    const S: fn(u64) -> Duration = Duration::from_secs;

    fn req(method: &str, url: &str) -> BrowserRequest {
        BrowserRequest::new(O, method, url).unwrap()
    }

    fn allow(methods: &[&str], headers: &[&str], secs: u64) -> PreflightAllowance {
        PreflightAllowance {
            methods: methods.iter().map(|s| s.to_string()).collect(),
            headers: headers.iter().map(|s| s.to_string()).collect(),
            max_age: S(secs),
        }
    }

    #[test]
    fn keyed_by_origin_url_and_expiring() {
        for mode in [Mode::Spec, Mode::Chromium] {
            let mut c = PreflightCache::default();
            let put = req("PUT", "http://api.test/a?x=1");
            c.store(mode, S(0), &put, &allow(&["PUT"], &[], 5));
            assert!(c.can_skip(mode, S(0), &put));
            assert!(c.can_skip(mode, S(4), &put));
            assert!(!c.can_skip(mode, S(5), &put), "{mode:?}");
            assert!(!c.can_skip(mode, S(0), &req("PUT", "http://api.test/a?x=2")));
            assert!(!c.can_skip(mode, S(0), &req("PUT", "http://api.test/b")));
            let other =
                BrowserRequest::new("http://localhost:3001", "PUT", "http://api.test/a?x=1")
                    .unwrap();
            assert!(!c.can_skip(mode, S(0), &other));
            assert!(!c.can_skip(mode, S(0), &req("DELETE", "http://api.test/a?x=1")));
            c.clear_for(&put);
            assert!(!c.can_skip(mode, S(0), &put));
        }
    }

    #[test]
    fn zero_max_age_is_never_used() {
        for mode in [Mode::Spec, Mode::Chromium] {
            let mut c = PreflightCache::default();
            let put = req("PUT", "http://api.test/");
            c.store(mode, S(0), &put, &allow(&["PUT"], &[], 0));
            assert!(!c.can_skip(mode, S(0), &put));
        }
    }

    #[test]
    fn credentialed_entries_serve_both_ways_only_one_way() {
        for mode in [Mode::Spec, Mode::Chromium] {
            let plain = req("PUT", "http://api.test/").header("X-A", "1").unwrap();
            let cred = plain.clone().credentials(Credentials::Include);
            let mut c = PreflightCache::default();
            c.store(mode, S(0), &cred, &allow(&["PUT"], &["x-a"], 60));
            assert!(c.can_skip(mode, S(1), &cred));
            assert!(c.can_skip(mode, S(1), &plain));
            let mut c = PreflightCache::default();
            c.store(mode, S(0), &plain, &allow(&["PUT"], &["x-a"], 60));
            assert!(c.can_skip(mode, S(1), &plain));
            assert!(!c.can_skip(mode, S(1), &cred), "{mode:?}");
        }
    }

    #[test]
    fn star_header_entry_and_authorization() {
        let auth = req("GET", "http://api.test/")
            .header("Authorization", "x")
            .unwrap();
        let custom = req("GET", "http://api.test/").header("X-A", "1").unwrap();
        let mut spec = PreflightCache::default();
        spec.store(Mode::Spec, S(0), &custom, &allow(&[], &["*"], 60));
        assert!(spec.can_skip(Mode::Spec, S(1), &custom));
        assert!(!spec.can_skip(Mode::Spec, S(1), &auth));
        // Chromium 156 agrees for a cached entry (although a fresh `*`
        // preflight answer covers Authorization there).
        let mut chromium = PreflightCache::default();
        chromium.store(Mode::Chromium, S(0), &custom, &allow(&[], &["*"], 60));
        assert!(chromium.can_skip(Mode::Chromium, S(1), &custom));
        assert!(!chromium.can_skip(Mode::Chromium, S(1), &auth));
        // Listed by name, Authorization is served from the cache.
        chromium.store(
            Mode::Chromium,
            S(0),
            &auth,
            &allow(&[], &["*", "authorization"], 60),
        );
        assert!(chromium.can_skip(Mode::Chromium, S(1), &auth));
    }

    #[test]
    fn spec_accumulates_chromium_replaces() {
        let put = req("PUT", "http://api.test/");
        let del = req("DELETE", "http://api.test/");
        let mut spec = PreflightCache::default();
        spec.store(Mode::Spec, S(0), &put, &allow(&["PUT"], &[], 60));
        spec.store(Mode::Spec, S(1), &del, &allow(&["DELETE"], &[], 60));
        assert!(spec.can_skip(Mode::Spec, S(2), &put));
        assert!(spec.can_skip(Mode::Spec, S(2), &del));
        let mut chromium = PreflightCache::default();
        chromium.store(Mode::Chromium, S(0), &put, &allow(&["PUT"], &[], 60));
        chromium.store(Mode::Chromium, S(1), &del, &allow(&["DELETE"], &[], 60));
        assert!(!chromium.can_skip(Mode::Chromium, S(2), &put));
        assert!(chromium.can_skip(Mode::Chromium, S(2), &del));
    }

    #[test]
    fn chromium_skips_long_urls() {
        let url = format!("http://api.test/{}", "a".repeat(1100));
        let put = req("PUT", &url);
        let mut c = PreflightCache::default();
        c.store(Mode::Chromium, S(0), &put, &allow(&["PUT"], &[], 60));
        assert!(!c.can_skip(Mode::Chromium, S(1), &put));
        c.store(Mode::Spec, S(0), &put, &allow(&["PUT"], &[], 60));
        assert!(c.can_skip(Mode::Spec, S(1), &put));
    }

    #[test]
    fn stream_body_needs_a_method_entry_even_for_post() {
        let post = req("POST", "http://api.test/").body(crate::check::BodyKind::Stream);
        let mut c = PreflightCache::default();
        c.store(Mode::Spec, S(0), &post, &allow(&[], &[], 60));
        assert!(!c.can_skip(Mode::Spec, S(1), &post));
        c.store(Mode::Spec, S(0), &post, &allow(&["POST"], &[], 60));
        assert!(c.can_skip(Mode::Spec, S(1), &post));
    }
}
