//! What the policy decided about one request, and why it rejected it.

use std::fmt;

use http::HeaderValue;

use super::request_headers::RequestedName;

/// Which kind of request a [`Decision`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    /// No `Origin` header (or a path no policy covers): not a CORS request.
    NotCors,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight,
    /// Any other request with an `Origin` header.
    Actual,
}

/// Why a CORS request was rejected.
///
/// The [`Display`](fmt::Display) form is a sentence for whoever reads the logs. Values that came
/// from the request are shown escaped and quoted, so a log line cannot be forged through them.
///
/// ```
/// use http::Request;
/// use tower_cors::{CorsPolicy, Rejection};
///
/// let policy = CorsPolicy::builder()
///     .allow_origins(["https://app.example.com"])
///     .build()?;
/// let (parts, ()) = Request::get("/")
///     .header("origin", "https://evil.example")
///     .body(())?
///     .into_parts();
/// let decision = policy.evaluate(&parts);
/// let rejection = decision.rejection().unwrap();
/// assert!(matches!(rejection, Rejection::OriginNotAllowed { .. }));
/// assert_eq!(rejection.to_string(), "origin \"https://evil.example\" is not allowed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The origin matched no rule.
    OriginNotAllowed {
        /// The `Origin` header as sent.
        origin: HeaderValue,
    },
    /// The preflight asked for a method the policy does not allow.
    MethodNotAllowed {
        /// The `Access-Control-Request-Method` header as sent.
        method: HeaderValue,
    },
    /// The preflight asked for a request header the policy does not allow.
    HeaderNotAllowed {
        /// The first name in `Access-Control-Request-Headers` that is not allowed.
        header: RequestedName,
    },
    /// The preflight asked for Private Network Access, which the policy does not allow.
    PrivateNetworkNotAllowed,
    /// The request is not something a browser sends.
    Malformed(Malformed),
}

/// How a CORS request was malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// More than one `Origin` header.
    SeveralOrigins,
    /// More than one `Access-Control-Request-Method` header.
    SeveralRequestMethods,
    /// `Access-Control-Request-Method` is not a method token.
    InvalidRequestMethod {
        /// The header as sent.
        method: HeaderValue,
    },
    /// `Access-Control-Request-Headers` is longer than the configured limit.
    RequestHeadersTooLong {
        /// Its length in bytes, over all lines.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// `Access-Control-Request-Headers` names more headers than the configured limit.
    TooManyRequestHeaders {
        /// The limit.
        limit: usize,
    },
    /// An item of `Access-Control-Request-Headers` is not a header name.
    InvalidRequestHeader {
        /// The item as sent.
        header: RequestedName,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::OriginNotAllowed { origin } => {
                write!(f, "origin {origin:?} is not allowed")
            }
            Rejection::MethodNotAllowed { method } => {
                write!(f, "method {method:?} is not allowed")
            }
            Rejection::HeaderNotAllowed { header } => {
                write!(f, "request header {header:?} is not allowed")
            }
            Rejection::PrivateNetworkNotAllowed => {
                f.write_str("private network access was requested but is not allowed")
            }
            Rejection::Malformed(m) => write!(f, "malformed CORS request: {m}"),
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::SeveralOrigins => f.write_str("more than one Origin header"),
            Malformed::SeveralRequestMethods => {
                f.write_str("more than one Access-Control-Request-Method header")
            }
            Malformed::InvalidRequestMethod { method } => {
                write!(
                    f,
                    "Access-Control-Request-Method {method:?} is not a method"
                )
            }
            Malformed::RequestHeadersTooLong { len, limit } => write!(
                f,
                "Access-Control-Request-Headers is {len} bytes long, over the limit of {limit}"
            ),
            Malformed::TooManyRequestHeaders { limit } => write!(
                f,
                "Access-Control-Request-Headers names more than {limit} headers"
            ),
            Malformed::InvalidRequestHeader { header } => write!(
                f,
                "Access-Control-Request-Headers item {header:?} is not a header name"
            ),
        }
    }
}

impl std::error::Error for Rejection {}

/// What `Access-Control-Allow-Origin` will say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AllowOrigin {
    Any,
    Exactly(HeaderValue),
}

/// The outcome of [`CorsPolicy::evaluate`](crate::CorsPolicy::evaluate) for one request.
///
/// A decision is a plain value: the layer turns it into headers with
/// [`CorsPolicy::apply`](crate::CorsPolicy::apply) or a whole response with
/// [`CorsPolicy::respond`](crate::CorsPolicy::respond), and a test can inspect it directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub(crate) kind: DecisionKind,
    pub(crate) allow_origin: Option<AllowOrigin>,
    /// The requested method, answered back when any method is allowed.
    pub(crate) echo_method: Option<HeaderValue>,
    /// The requested header names, answered back when any header is allowed.
    pub(crate) echo_headers: Option<HeaderValue>,
    pub(crate) private_network: bool,
    pub(crate) rejection: Option<Rejection>,
    /// Whether the layer answers without calling the inner service.
    pub(crate) short_circuit: bool,
    /// The origin, when only an asynchronous predicate can still allow it.
    /// Whether only an asynchronous predicate can still allow the origin (then held in
    /// `allow_origin`).
    pub(crate) pending_lookup: bool,
}

impl Decision {
    pub(crate) fn not_cors() -> Self {
        Decision {
            kind: DecisionKind::NotCors,
            allow_origin: None,
            echo_method: None,
            echo_headers: None,
            private_network: false,
            rejection: None,
            short_circuit: false,
            pending_lookup: false,
        }
    }

    pub(crate) fn rejected(kind: DecisionKind, rejection: Rejection) -> Self {
        Decision {
            kind,
            rejection: Some(rejection),
            ..Decision::not_cors()
        }
    }

    /// Whether no synchronous rule allowed the origin and the policy's asynchronous predicates
    /// must decide: run [`CorsPolicy::lookup_origin`](crate::CorsPolicy::lookup_origin), then
    /// [`resolve_origin_lookup`](Self::resolve_origin_lookup). Until then the decision reads as
    /// if the origin were allowed.
    pub fn needs_origin_lookup(&self) -> bool {
        self.pending_lookup
    }

    /// Completes a decision that [needs an origin lookup](Self::needs_origin_lookup) with the
    /// lookup's answer. Any other decision is returned as it is.
    pub fn resolve_origin_lookup(self, allowed: bool) -> Decision {
        match (self.pending_lookup, self.allow_origin) {
            (true, Some(AllowOrigin::Exactly(origin))) if !allowed => Decision {
                short_circuit: self.short_circuit,
                ..Decision::rejected(self.kind, Rejection::OriginNotAllowed { origin })
            },
            (_, allow_origin) => Decision {
                pending_lookup: false,
                allow_origin,
                ..self
            },
        }
    }

    /// Which kind of request this is.
    pub fn kind(&self) -> DecisionKind {
        self.kind
    }

    /// Whether this is a CORS request the policy allows.
    pub fn is_allowed(&self) -> bool {
        self.kind != DecisionKind::NotCors && self.rejection.is_none()
    }

    /// Why the request was rejected, if it was.
    pub fn rejection(&self) -> Option<&Rejection> {
        self.rejection.as_ref()
    }

    /// The `Access-Control-Allow-Origin` value the response will carry, if any.
    pub fn allow_origin(&self) -> Option<&HeaderValue> {
        static ANY: HeaderValue = HeaderValue::from_static("*");
        match &self.allow_origin {
            Some(AllowOrigin::Any) => Some(&ANY),
            Some(AllowOrigin::Exactly(v)) => Some(v),
            None => None,
        }
    }

    /// Whether the layer answers this request itself instead of calling the inner service:
    /// a preflight (unless pass-through is on), or a refused disallowed origin.
    pub fn short_circuits(&self) -> bool {
        self.short_circuit
    }

    /// A short name for the outcome, as logged in the `outcome` field.
    pub fn outcome(&self) -> &'static str {
        match (self.kind, self.is_allowed(), self.short_circuit) {
            (DecisionKind::NotCors, _, _) => "not-cors",
            (DecisionKind::Preflight, true, _) => "preflight-allowed",
            (DecisionKind::Preflight, false, _) => "preflight-rejected",
            (DecisionKind::Actual, true, _) => "allowed",
            (DecisionKind::Actual, false, true) => "refused",
            (DecisionKind::Actual, false, false) => "rejected",
        }
    }
}
