//! The builder: every setting, its default, and the validation that turns it into a policy.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;
use http::{HeaderValue, StatusCode};
use regex::bytes::{RegexBuilder, RegexSetBuilder};

use super::allowlist::OriginAllowlist;
use super::origin::{AsyncOriginPredicate, OriginMatcher, OriginPredicate};
use super::request_headers::{is_token, Limits};
use super::response::preflight_template;
use super::{Behaviour, CorsPolicy, Inner, Methods, RequestHeaders};
use crate::error::{ConfigError, Wildcard};

/// Builds a [`CorsPolicy`]. Every setting is checked in [`build`](Self::build), which returns a
/// [`ConfigError`] naming the input at fault instead of panicking.
///
/// Defaults: no origin (so `build` fails until one is given), no credentials, only the
/// CORS-safelisted methods (`GET`, `HEAD`, `POST`) and request headers, nothing exposed, no
/// `Access-Control-Max-Age` (browsers then cache a preflight for 5 s), Private Network Access
/// refused, preflights answered `204 No Content`, rejected preflights `403 Forbidden`,
/// disallowed actual requests passed to the inner service without CORS headers.
///
/// ```
/// use std::time::Duration;
/// use tower_cors::CorsPolicy;
///
/// let policy = CorsPolicy::builder()
///     .allow_origins(["https://app.example.com", "http://localhost:3000"])
///     .allow_methods(["GET", "POST", "PUT", "DELETE"])
///     .allow_headers(["content-type", "authorization"])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()?;
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Clone, Default)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct CorsPolicyBuilder {
    origins: Vec<String>,
    any_origin: bool,
    reflect_any_origin: bool,
    regexes: Vec<String>,
    predicates: Vec<OriginPredicate>,
    async_predicates: Vec<AsyncOriginPredicate>,
    lists: Vec<OriginAllowlist>,
    methods: Vec<String>,
    any_method: bool,
    headers: Vec<String>,
    any_header: bool,
    expose: Vec<String>,
    credentials: bool,
    max_age: Option<Duration>,
    private_network: bool,
    behaviour: Behaviour,
}

impl fmt::Debug for CorsPolicyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsPolicyBuilder")
            .field("origins", &self.origins)
            .field("regexes", &self.regexes)
            .field("predicates", &self.predicates.len())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

fn collect<I>(items: I) -> impl Iterator<Item = String>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    items.into_iter().map(|s| s.as_ref().to_owned())
}

impl CorsPolicyBuilder {
    /// Allows these origins. Each entry is one of:
    /// - an origin, `https://app.example.com` or `http://localhost:3000`: normalised as browsers
    ///   send it (scheme and host lower-cased, default port and a trailing `/` dropped), then
    ///   matched exactly, in constant time however long the list;
    /// - a pattern, `https://*.example.com`: one or more labels before `example.com` (not the
    ///   apex, not `evilexample.com`), same scheme, default port; `:8443` for that port, `:*`
    ///   for any port;
    /// - a host on any port, `http://localhost:*`: that host only, every port (local
    ///   development servers);
    /// - `null`: the opaque origin of sandboxed frames and `file:` pages (allow it only if you
    ///   mean every such page on the web);
    /// - `*`: any origin, answered with `Access-Control-Allow-Origin: *`.
    ///
    /// A path, query, fragment or user name is a [`ConfigError`] from `build`.
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.origins.extend(collect(origins));
        self
    }

    /// Allows any origin, answered with `Access-Control-Allow-Origin: *`. Cannot be combined
    /// with credentials.
    pub fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self
    }

    /// Allows origins that a regex matches **as a whole** (it is anchored at both ends whatever
    /// it is written as), so `https://[a-z]+\.example\.com` never accepts
    /// `https://a.example.com.evil.net`. All regexes are compiled once, into one set.
    ///
    /// Only well-formed origins are tried: `null`, upper case, a default port or a path never
    /// reach the regex.
    pub fn allow_origin_regex(mut self, regex: impl AsRef<str>) -> Self {
        self.regexes.push(regex.as_ref().to_owned());
        self
    }

    /// Allows origins for which `predicate` returns `true`. It sees the `Origin` header (only
    /// well-formed origins, never `null`) and the request head. It runs on every CORS request
    /// that no cheaper rule allowed, so keep it fast and free of I/O.
    pub fn allow_origin_fn<F>(mut self, predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        self.predicates.push(Arc::new(predicate));
        self
    }

    /// Allows origins that `predicate` approves asynchronously, for lookups that need I/O (a
    /// tenant database, a remote service). It sees only well-formed origins that no synchronous
    /// rule allowed, and returns a `'static` future: copy from the request what it needs before
    /// the `async` block.
    ///
    /// **Cost:** a preflight waits for the lookup, and an actual request's response waits for
    /// it too (the inner service runs meanwhile, so the two overlap). Each CORS request from an
    /// origin that no other rule allows boxes one future per predicate. Cache what you can in the
    /// predicate, and prefer an [`OriginAllowlist`] refreshed in the background when the set of
    /// origins is known ahead of time. Cannot be combined with
    /// [`refuse_disallowed_origins`](Self::refuse_disallowed_origins), which must decide before
    /// calling the inner service.
    ///
    /// ```
    /// use tower_cors::CorsPolicy;
    ///
    /// let policy = CorsPolicy::builder()
    ///     .allow_origin_async_fn(|origin, _parts| {
    ///         let origin = origin.clone();
    ///         async move {
    ///             // e.g. SELECT 1 FROM tenants WHERE origin = $1
    ///             origin.as_bytes().ends_with(b".tenant.example")
    ///         }
    ///     })
    ///     .build()?;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allow_origin_async_fn<F, Fut>(mut self, predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send + 'static,
    {
        self.async_predicates.push(Arc::new(move |origin, parts| {
            Box::pin(predicate(origin, parts))
        }));
        self
    }

    /// Allows the origins of a list that can be replaced while the server runs (see
    /// [`OriginAllowlist`]). Looking it up takes no lock.
    pub fn allow_origin_list(mut self, list: OriginAllowlist) -> Self {
        self.lists.push(list);
        self
    }

    /// Reflects **every** well-formed origin back in `Access-Control-Allow-Origin`, even with
    /// credentials: any site on the web can then make your users' browsers send credentialed
    /// requests and read the answers. This is what `allow_origins=["*"]` with credentials does
    /// in several Python libraries; it exists here only under this name.
    pub fn dangerously_reflect_any_origin(mut self) -> Self {
        self.reflect_any_origin = true;
        self
    }

    /// Allows these methods in preflights. `GET`, `DELETE`, `HEAD`, `OPTIONS`, `POST` and `PUT`
    /// are upper-cased, as browsers do; other methods are case-sensitive (`PATCH` is not
    /// `patch`). `GET`, `HEAD` and `POST` are always allowed, since browsers never check them.
    /// `*` means any method (without credentials).
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.methods.extend(collect(methods));
        self
    }

    /// Allows any method; a preflight is answered with the method it asked for, which is what
    /// browsers accept with or without credentials.
    pub fn allow_any_method(mut self) -> Self {
        self.any_method = true;
        self
    }

    /// Allows these request headers (case-insensitive). `*` means any header (without
    /// credentials).
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.headers.extend(collect(headers));
        self
    }

    /// Allows any request header; a preflight is answered with the names it asked for, so
    /// `Authorization` is covered too (browsers never let `*` cover it).
    pub fn allow_any_header(mut self) -> Self {
        self.any_header = true;
        self
    }

    /// Lets scripts read these response headers (`Access-Control-Expose-Headers`). `*` means
    /// every header, and is refused with credentials.
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.expose.extend(collect(headers));
        self
    }

    /// Sends `Access-Control-Allow-Credentials: true`, letting browsers send cookies and
    /// `Authorization` and read the answer. Origins must then be listed, not `*`.
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long browsers may cache a preflight answer (`Access-Control-Max-Age`, whole
    /// seconds). Chromium caps it at 2 hours and Firefox at 24.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Answers Private Network Access preflights
    /// (`Access-Control-Request-Private-Network: true`) with
    /// `Access-Control-Allow-Private-Network: true`.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.private_network = allow;
        self
    }

    /// The status of a successful preflight: `204 No Content` by default; some old clients
    /// want `200 OK`. It must be 2xx.
    pub fn preflight_status(mut self, status: StatusCode) -> Self {
        self.behaviour.preflight_status = status;
        self
    }

    /// The status of a preflight from a disallowed origin or a malformed request, and of a
    /// refused request (see [`refuse_disallowed_origins`](Self::refuse_disallowed_origins)):
    /// `403 Forbidden` by default.
    pub fn rejection_status(mut self, status: StatusCode) -> Self {
        self.behaviour.rejection_status = status;
        self
    }

    /// Answers actual (non-preflight) requests from disallowed origins with the rejection
    /// status, without calling the inner service. Off by default: the browser already keeps the
    /// response from the page, and same-origin or non-browser clients may send an `Origin` too.
    pub fn refuse_disallowed_origins(mut self, refuse: bool) -> Self {
        self.behaviour.refuse_disallowed = refuse;
        self
    }

    /// Passes preflights to the inner service and adds the CORS headers to its response,
    /// instead of answering them in the layer.
    pub fn preflight_passthrough(mut self, passthrough: bool) -> Self {
        self.behaviour.preflight_passthrough = passthrough;
        self
    }

    /// Leaves a response untouched (but for `Vary`) when the inner service already set
    /// `Access-Control-*` headers itself. By default the layer removes them and writes its own,
    /// so the policy is the only source of CORS answers.
    pub fn keep_inner_cors_headers(mut self, keep: bool) -> Self {
        self.behaviour.keep_inner_cors_headers = keep;
        self
    }

    /// Bounds `Access-Control-Request-Headers`: at most `max_bytes` over all its lines and
    /// `max_names` names (4096 and 64 by default). A preflight over either bound is rejected as
    /// malformed before any name is matched.
    pub fn request_header_limits(mut self, max_bytes: usize, max_names: usize) -> Self {
        self.behaviour.limits = Limits {
            max_bytes,
            max_names,
        };
        self
    }

    /// Checks every setting and builds the policy, computing once every header value that does
    /// not depend on the request.
    pub fn build(self) -> Result<CorsPolicy, ConfigError> {
        let mut origins = OriginMatcher::default();
        origins.any = self.any_origin;
        origins.reflect_any = self.reflect_any_origin;
        for origin in &self.origins {
            if origin == "*" {
                origins.any = true;
            } else {
                origins.fixed.add(origin)?;
            }
        }
        for list in self.lists {
            origins.add_list(list);
        }
        for p in self.async_predicates {
            origins.add_async_predicate(p);
        }
        if self.behaviour.refuse_disallowed && origins.has_async_predicates() {
            return Err(ConfigError::RefusalWithAsyncPredicate);
        }
        if !self.regexes.is_empty() {
            origins.set_regexes(compile_regexes(&self.regexes)?, self.regexes.clone());
        }
        for p in self.predicates {
            origins.add_predicate(p);
        }
        if origins.reflect_any {
            origins.any = false;
        }
        if origins.is_empty() {
            return Err(ConfigError::NoOrigins);
        }
        let credentials = self.credentials;
        if credentials && origins.any {
            return Err(ConfigError::WildcardWithCredentials {
                wildcard: Wildcard::Origins,
            });
        }

        // Every listed value is checked, even beside a wildcard that makes the list moot: a
        // value with CR/LF or a space in it is a mistake worth hearing about either way.
        let any_method =
            self.any_method || has_wildcard(&self.methods, credentials, Wildcard::Methods)?;
        let allowed = dedup(
            not_wildcards(&self.methods)
                .map(normalize_method)
                .collect::<Result<Vec<_>, _>>()?,
        );
        let methods = if any_method {
            Methods::Any
        } else {
            Methods::List {
                header: join_header(&allowed),
                allowed: allowed.into_iter().map(|m| m.into_bytes().into()).collect(),
            }
        };

        let any_header =
            self.any_header || has_wildcard(&self.headers, credentials, Wildcard::Headers)?;
        let allowed = header_names("allow_headers", not_wildcards(&self.headers))?;
        let headers = if any_header {
            RequestHeaders::Any
        } else {
            RequestHeaders::List {
                header: join_header(&allowed),
                allowed: allowed.into_iter().map(|h| h.into_bytes().into()).collect(),
            }
        };

        let expose_any = has_wildcard(&self.expose, credentials, Wildcard::ExposeHeaders)?;
        let exposed = header_names("expose_headers", not_wildcards(&self.expose))?;
        let expose = if expose_any {
            Some(HeaderValue::from_static("*"))
        } else {
            join_header(&exposed)
        };

        if !self.behaviour.preflight_status.is_success() {
            return Err(ConfigError::InvalidPreflightStatus {
                status: self.behaviour.preflight_status.as_u16(),
            });
        }
        let mut inner = Inner {
            origins,
            credentials,
            methods,
            headers,
            expose,
            max_age: self.max_age.map(|d| HeaderValue::from(d.as_secs())),
            private_network: self.private_network,
            behaviour: self.behaviour,
            preflight_headers: http::HeaderMap::new(),
        };
        inner.preflight_headers = preflight_template(&inner);
        let policy = CorsPolicy {
            inner: Arc::new(inner),
        };
        for lint in policy.lint() {
            tracing::warn!(target: "tower_cors", lint = lint.kind().as_str(), "{lint}");
        }
        Ok(policy)
    }
}

/// Whether a list holds `*`, which with credentials is refused rather than silently taken as a
/// literal name (what browsers would do).
fn has_wildcard(list: &[String], credentials: bool, which: Wildcard) -> Result<bool, ConfigError> {
    let wildcard = list.iter().any(|s| s.trim() == "*");
    if wildcard && credentials {
        return Err(ConfigError::WildcardWithCredentials { wildcard: which });
    }
    Ok(wildcard)
}

fn compile_regexes(regexes: &[String]) -> Result<regex::bytes::RegexSet, ConfigError> {
    // Anchored at both ends whatever the user wrote: a prefix match is how
    // `https://x.example.com.evil.net` gets past the Python libraries.
    // Each regex must compile on its own first: `a)|(?:b` does not, but wrapped it would, as
    // `^(?:a)|(?:b)$`, with `a` anchored at the start only.
    let anchored: Vec<String> = regexes.iter().map(|r| format!("^(?:{r})$")).collect();
    for (input, pattern) in regexes.iter().zip(&anchored) {
        let standalone = RegexBuilder::new(input).build();
        if let Err(e) = standalone.and_then(|_| RegexBuilder::new(pattern).build()) {
            return Err(ConfigError::InvalidRegex {
                input: input.clone(),
                error: e.to_string(),
            });
        }
    }
    RegexSetBuilder::new(&anchored)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| ConfigError::InvalidRegex {
            input: format!("(all {} origin regexes together)", regexes.len()),
            error: e.to_string(),
        })
}

/// Normalises a method as Fetch does: the six standard methods upper-cased, others as written.
fn normalize_method(method: &str) -> Result<String, ConfigError> {
    let m = method.trim();
    if !is_token(m.as_bytes()) || has_line_break(method) {
        return Err(ConfigError::InvalidMethod {
            input: method.to_owned(),
        });
    }
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    Ok(NORMALIZED
        .iter()
        .find(|n| n.eq_ignore_ascii_case(m))
        .map_or_else(|| m.to_owned(), |n| (*n).to_owned()))
}

/// Whether a configured value holds CR or LF anywhere, even where trimming would hide it:
/// such a value came from a broken file or variable, and is refused rather than cleaned.
fn has_line_break(value: &str) -> bool {
    value.contains(['\r', '\n'])
}

/// The entries of a list other than `*`.
fn not_wildcards(list: &[String]) -> impl Iterator<Item = &str> {
    list.iter().map(String::as_str).filter(|s| s.trim() != "*")
}

fn header_names<'a>(
    setting: &'static str,
    names: impl Iterator<Item = &'a str>,
) -> Result<Vec<String>, ConfigError> {
    let names = names
        .map(|n| {
            let t = n.trim();
            if is_token(t.as_bytes()) && !has_line_break(n) {
                Ok(t.to_ascii_lowercase())
            } else {
                Err(ConfigError::InvalidHeaderName {
                    setting,
                    input: n.to_owned(),
                })
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(dedup(names))
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.clone()));
    items
}

/// `a, b, c`, or `None` for an empty list. Tokens joined by `, ` are always a valid value.
fn join_header(items: &[String]) -> Option<HeaderValue> {
    if items.is_empty() {
        return None;
    }
    HeaderValue::from_str(&items.join(", ")).ok()
}
