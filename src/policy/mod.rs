//! The policy core: every CORS decision, with no async, no tower and no I/O.
//!
//! [`CorsPolicy::evaluate`] reads a request's head and returns a [`Decision`];
//! [`CorsPolicy::respond`] and [`CorsPolicy::apply`] turn the decision into a response or into
//! headers on the inner service's response. The layer only wires these together.

mod allowlist;
mod builder;
mod decision;
mod lint;
mod origin;
mod request_headers;
mod response;
#[cfg(test)]
mod tests;

/// Entry points for the fuzz targets (see `crate::__fuzz`).
#[cfg(fuzzing)]
pub(crate) mod fuzzing {
    use http::header::{GetAll, HeaderValue};

    use crate::ConfigError;

    /// Normalises a configured origin as the builder does.
    pub fn normalize_origin(input: &str) -> Result<String, ConfigError> {
        super::origin::normalize_origin(input)
    }

    /// Parses a request origin as the matcher does: `(scheme, host, port)`.
    pub fn parse_serialized(origin: &[u8]) -> Option<(String, String, Option<u16>)> {
        super::origin::parse_serialized(origin)
            .map(|o| (o.scheme.to_owned(), o.host.to_owned(), o.port))
    }

    /// Scans `Access-Control-Request-Headers` lines as a preflight does. `Ok(names)` or the
    /// error, as text.
    pub fn scan_request_headers(
        lines: GetAll<'_, HeaderValue>,
        max_bytes: usize,
        max_names: usize,
        allowed: impl FnMut(&[u8]) -> bool,
    ) -> Result<usize, String> {
        let limits = super::request_headers::Limits {
            max_bytes,
            max_names,
        };
        super::request_headers::scan(lines, limits, allowed)
            .map(|r| r.names)
            .map_err(|e| format!("{e:?}"))
    }
}

use std::fmt;
use std::sync::Arc;

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

pub use allowlist::OriginAllowlist;
pub use builder::CorsPolicyBuilder;
pub use decision::{Decision, DecisionKind, Malformed, Rejection};
pub use lint::{Lint, LintKind};
pub use request_headers::RequestedName;

use decision::AllowOrigin;
use origin::{OriginMatcher, OriginVerdict};
use request_headers::{Limits, ScanError};

/// The request header a Private Network Access preflight carries.
/// A `HeaderName`, not a `&str`: looking a `&str` up parses it into a name on every request.
pub(crate) const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// Methods a preflight may ask for.
#[derive(Clone, Debug)]
pub(crate) enum Methods {
    /// Any method, answered with the requested one.
    Any,
    /// These methods (normalised as Fetch does), and the `Access-Control-Allow-Methods` value.
    List {
        allowed: Vec<Box<[u8]>>,
        header: Option<HeaderValue>,
    },
}

/// Request headers a preflight may ask for.
#[derive(Clone, Debug)]
pub(crate) enum RequestHeaders {
    /// Any header, answered with the requested names.
    Any,
    /// These lower-case names, and the `Access-Control-Allow-Headers` value.
    List {
        allowed: Vec<Box<[u8]>>,
        header: Option<HeaderValue>,
    },
}

/// A validated, immutable CORS policy. Cloning it is cheap (one reference count).
///
/// Build one with [`CorsPolicy::builder`]; hand it to a [`CorsLayer`](crate::CorsLayer), or call
/// [`evaluate`](Self::evaluate) directly to see what it decides.
///
/// ```
/// use http::{Method, Request};
/// use std::time::Duration;
/// use tower_cors::CorsPolicy;
///
/// let policy = CorsPolicy::builder()
///     .allow_origins(["https://app.example.com", "https://*.example.org"])
///     .allow_methods([Method::GET, Method::PUT])
///     .allow_headers(["content-type", "authorization"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()?;
///
/// let (parts, ()) = Request::options("/items")
///     .header("origin", "https://admin.example.org")
///     .header("access-control-request-method", "PUT")
///     .header("access-control-request-headers", "authorization,content-type")
///     .body(())?
///     .into_parts();
/// let decision = policy.evaluate(&parts);
/// assert!(decision.is_allowed());
///
/// let response = policy.respond(&decision);
/// assert_eq!(response.status(), 204);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://admin.example.org");
/// assert_eq!(response.headers()["access-control-allow-methods"], "GET, PUT");
/// assert_eq!(response.headers()["access-control-allow-headers"], "content-type, authorization");
/// assert_eq!(response.headers()["access-control-allow-credentials"], "true");
/// assert_eq!(response.headers()["access-control-max-age"], "600");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CorsPolicy {
    inner: Arc<Inner>,
}

/// How the layer answers, as set on the builder and kept unchanged in the policy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Behaviour {
    preflight_status: StatusCode,
    rejection_status: StatusCode,
    refuse_disallowed: bool,
    preflight_passthrough: bool,
    keep_inner_cors_headers: bool,
    limits: Limits,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            preflight_status: StatusCode::NO_CONTENT,
            rejection_status: StatusCode::FORBIDDEN,
            refuse_disallowed: false,
            preflight_passthrough: false,
            keep_inner_cors_headers: false,
            limits: Limits::default(),
        }
    }
}

pub(crate) struct Inner {
    origins: OriginMatcher,
    credentials: bool,
    methods: Methods,
    headers: RequestHeaders,
    expose: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
    private_network: bool,
    behaviour: Behaviour,
    /// What every answered preflight from an allowed origin carries whatever it asked for,
    /// built once; `respond` clones it instead of hashing each name in again.
    preflight_headers: HeaderMap,
}

impl fmt::Debug for CorsPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("CorsPolicy")
            .field("origins", &i.origins)
            .field("credentials", &i.credentials)
            .field("methods", &i.methods)
            .field("headers", &i.headers)
            .field("expose", &i.expose)
            .field("max_age", &i.max_age)
            .field("private_network", &i.private_network)
            .field("behaviour", &i.behaviour)
            .finish_non_exhaustive()
    }
}

/// The methods browsers never preflight for, and so accept whatever `Allow-Methods` says.
fn is_safelisted_method(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

impl Methods {
    /// Whether a preflight may ask for `method`. With credentials, "any method" does not cover
    /// a method literally named `*`: it would be echoed back as `Access-Control-Allow-Methods: *`
    /// next to `Access-Control-Allow-Credentials: true`, which the policy never sends.
    fn allows(&self, method: &[u8], credentials: bool) -> bool {
        match self {
            Methods::Any => !(credentials && method == b"*"),
            Methods::List { allowed, .. } => {
                is_safelisted_method(method) || allowed.iter().any(|m| **m == *method)
            }
        }
    }
}

impl RequestHeaders {
    /// Whether a preflight may ask for header `name`. As for methods, "any header" with
    /// credentials does not cover a name literally `*`, which would be echoed as a wildcard.
    fn allows(&self, name: &[u8], credentials: bool) -> bool {
        match self {
            RequestHeaders::Any => !(credentials && name == b"*"),
            // Configured names are lower case, and so are the names browsers send: a plain
            // comparison (memcmp) settles them before the byte-by-byte case-insensitive one.
            RequestHeaders::List { allowed, .. } => allowed
                .iter()
                .any(|a| **a == *name || a.eq_ignore_ascii_case(name)),
        }
    }
}

impl CorsPolicy {
    /// Starts a policy. See [`CorsPolicyBuilder`] for every setting and its default.
    pub fn builder() -> CorsPolicyBuilder {
        CorsPolicyBuilder::default()
    }

    #[cfg(test)]
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Decides what to do with a request, from its head alone.
    ///
    /// This is the whole of the CORS logic: the layer calls it once per request and does what
    /// the [`Decision`] says. It never panics and its work is bounded by the policy's limits,
    /// whatever the request holds.
    pub fn evaluate(&self, parts: &Parts) -> Decision {
        let i = &*self.inner;
        let mut origins = parts.headers.get_all(ORIGIN).iter();
        let Some(origin) = origins.next() else {
            return Decision::not_cors();
        };
        // Only an OPTIONS request can be a preflight: other requests skip the lookup.
        let mut request_methods = (parts.method == Method::OPTIONS)
            .then(|| parts.headers.get_all(ACCESS_CONTROL_REQUEST_METHOD).iter());
        let request_method = request_methods.as_mut().and_then(Iterator::next);
        let preflight = request_method.is_some();
        let kind = if preflight {
            DecisionKind::Preflight
        } else {
            DecisionKind::Actual
        };
        let answers_itself = if preflight {
            !i.behaviour.preflight_passthrough
        } else {
            i.behaviour.refuse_disallowed
        };
        let reject = |rejection| Decision {
            short_circuit: answers_itself,
            ..Decision::rejected(kind, rejection)
        };
        if origins.next().is_some() {
            return reject(Rejection::Malformed(Malformed::SeveralOrigins));
        }
        let verdict = i.origins.verdict(origin, parts);
        if verdict == OriginVerdict::Denied {
            return reject(Rejection::OriginNotAllowed {
                origin: origin.clone(),
            });
        }
        let mut decision = Decision {
            kind,
            allow_origin: Some(if i.origins.is_wildcard() {
                AllowOrigin::Any
            } else {
                AllowOrigin::Exactly(origin.clone())
            }),
            ..Decision::not_cors()
        };
        if let Some(method) = request_method {
            decision.short_circuit = answers_itself;
            let several_methods = request_methods.as_mut().and_then(Iterator::next).is_some();
            if let Err(rejection) =
                self.evaluate_preflight(parts, method, several_methods, &mut decision)
            {
                if matches!(rejection, Rejection::Malformed(_)) {
                    return reject(rejection);
                }
                decision.rejection = Some(rejection);
            }
        }
        if verdict == OriginVerdict::Ask {
            // Decided as if the origin were allowed; `resolve_origin_lookup` keeps this or
            // turns it into the origin's rejection, which overrides every other answer.
            decision.pending_lookup = true;
        }
        decision
    }

    /// Runs the policy's asynchronous origin predicates for a request whose decision
    /// [needs an origin lookup](Decision::needs_origin_lookup). The future owns what it needs.
    ///
    /// ```
    /// use http::Request;
    /// use tower_cors::CorsPolicy;
    ///
    /// # tokio_test_block_on(async {
    /// let policy = CorsPolicy::builder()
    ///     .allow_origin_async_fn(|origin, _| {
    ///         let ok = origin == "https://tenant.example";
    ///         async move { ok }
    ///     })
    ///     .build()?;
    /// let (parts, ()) = Request::get("/").header("origin", "https://tenant.example").body(())?.into_parts();
    /// let pending = policy.evaluate(&parts);
    /// assert!(pending.needs_origin_lookup());
    /// let allowed = policy.lookup_origin(&parts).await;
    /// let decision = pending.resolve_origin_lookup(allowed);
    /// assert!(decision.is_allowed());
    /// assert_eq!(decision.allow_origin().unwrap(), "https://tenant.example");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) })?;
    /// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup_origin(
        &self,
        parts: &Parts,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'static>> {
        match parts.headers.get(ORIGIN) {
            Some(origin) => self.inner.origins.ask(origin, parts),
            None => Box::pin(std::future::ready(false)),
        }
    }

    /// Checks what a preflight asks for, recording what to answer back in `decision`.
    fn evaluate_preflight(
        &self,
        parts: &Parts,
        method: &HeaderValue,
        several_methods: bool,
        decision: &mut Decision,
    ) -> Result<(), Rejection> {
        let i = &*self.inner;
        if several_methods {
            return Err(Rejection::Malformed(Malformed::SeveralRequestMethods));
        }
        if !request_headers::is_token(method.as_bytes()) {
            return Err(Rejection::Malformed(Malformed::InvalidRequestMethod {
                method: method.clone(),
            }));
        }
        if !i.methods.allows(method.as_bytes(), i.credentials) {
            return Err(Rejection::MethodNotAllowed {
                method: method.clone(),
            });
        }
        if matches!(i.methods, Methods::Any) {
            decision.echo_method = Some(method.clone());
        }

        let lines = || parts.headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        let allowed = |n: &[u8]| i.headers.allows(n, i.credentials);
        let requested =
            request_headers::scan(lines(), i.behaviour.limits, allowed).map_err(|e| match e {
                ScanError::TooLong { len } => {
                    Rejection::Malformed(Malformed::RequestHeadersTooLong {
                        len,
                        limit: i.behaviour.limits.max_bytes,
                    })
                }
                ScanError::TooManyNames => Rejection::Malformed(Malformed::TooManyRequestHeaders {
                    limit: i.behaviour.limits.max_names,
                }),
                ScanError::NotAToken(header) => {
                    Rejection::Malformed(Malformed::InvalidRequestHeader { header })
                }
                ScanError::NotAllowed(header) => Rejection::HeaderNotAllowed { header },
            })?;
        if matches!(i.headers, RequestHeaders::Any) && requested.names > 0 {
            decision.echo_headers = match lines().iter().next() {
                Some(line) if requested.lines == 1 && !requested.has_empty_items => {
                    Some(line.clone())
                }
                _ => response::join_names(lines()),
            };
        }

        let wants_private_network = parts
            .headers
            .get(REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v.as_bytes() == b"true");
        if wants_private_network {
            if !i.private_network {
                return Err(Rejection::PrivateNetworkNotAllowed);
            }
            decision.private_network = true;
        }
        Ok(())
    }
}
