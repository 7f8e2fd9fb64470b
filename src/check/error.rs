//! Why a request was blocked ([`CorsError`], [`Blocked`]), why it failed
//! without a CORS error ([`NetworkError`]), and why a request could not be
//! built at all ([`CheckError`]).

use std::fmt;
use std::str::FromStr;

macro_rules! cors_errors {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// The reason a browser blocked a request, spelled exactly as
        /// Chromium's `network::mojom::CorsError` and the DevTools protocol's
        /// `Network.CorsError` spell it (without the `k` prefix).
        ///
        /// The model produces only some of these (see each variant); the
        /// others exist so that a name read from a real browser (for example
        /// from CDP) can be parsed and compared.
        ///
        /// ```
        /// use tower_cors::check::CorsError;
        ///
        /// let e: CorsError = "MissingAllowOriginHeader".parse().unwrap();
        /// assert_eq!(e, CorsError::MissingAllowOriginHeader);
        /// assert_eq!(e.as_str(), "MissingAllowOriginHeader");
        /// assert!("kMissingAllowOriginHeader".parse::<CorsError>().is_err());
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CorsError {
            $($(#[$doc])* $name,)*
        }

        impl CorsError {
            /// Every variant, in the order of the DevTools protocol enum.
            pub const ALL: &'static [CorsError] = &[$(CorsError::$name,)*];

            /// The exact DevTools protocol name, e.g. `"MissingAllowOriginHeader"`.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(CorsError::$name => stringify!($name),)*
                }
            }
        }

        impl FromStr for CorsError {
            type Err = CheckError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($name) => Ok(CorsError::$name),)*
                    _ => Err(CheckError::new(
                        "CorsError name",
                        s,
                        "not a Network.CorsError name (names are case-sensitive, without a `k` prefix)",
                    )),
                }
            }
        }
    };
}

cors_errors! {
    /// The request mode forbids the request (e.g. `same-origin` mode to
    /// another origin). Not produced: the model always uses `cors` mode.
    DisallowedByMode,
    /// No usable response. Not produced: a service error or a failed
    /// connection is a [`NetworkError`], as in Chromium (no `corsError`).
    InvalidResponse,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardOriginNotAllowed,
    /// No `Access-Control-Allow-Origin` header.
    MissingAllowOriginHeader,
    /// Several origins (a comma or space) in `Access-Control-Allow-Origin`.
    MultipleAllowOriginValues,
    /// `Access-Control-Allow-Origin` is not a URL-like origin.
    InvalidAllowOriginValue,
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch,
    /// Credentialed request without `Access-Control-Allow-Credentials: true`.
    InvalidAllowCredentials,
    /// The URL scheme does not support CORS (only http and https do here).
    CorsDisabledScheme,
    /// The preflight response status is not 200-299.
    PreflightInvalidStatus,
    /// The preflight response was a redirect.
    PreflightDisallowedRedirect,
    /// Preflight counterpart of [`CorsError::WildcardOriginNotAllowed`].
    PreflightWildcardOriginNotAllowed,
    /// Preflight counterpart of [`CorsError::MissingAllowOriginHeader`].
    PreflightMissingAllowOriginHeader,
    /// Preflight counterpart of [`CorsError::MultipleAllowOriginValues`].
    PreflightMultipleAllowOriginValues,
    /// Preflight counterpart of [`CorsError::InvalidAllowOriginValue`].
    PreflightInvalidAllowOriginValue,
    /// Preflight counterpart of [`CorsError::AllowOriginMismatch`].
    PreflightAllowOriginMismatch,
    /// Preflight counterpart of [`CorsError::InvalidAllowCredentials`].
    PreflightInvalidAllowCredentials,
    /// Old Chromium experiment (`Access-Control-Allow-External`). Not produced.
    PreflightMissingAllowExternal,
    /// Old Chromium experiment (`Access-Control-Allow-External`). Not produced.
    PreflightInvalidAllowExternal,
    /// Private Network Access: `Access-Control-Allow-Private-Network` missing.
    /// Not produced: Chromium 156 no longer sends PNA preflights.
    PreflightMissingAllowPrivateNetwork,
    /// Private Network Access: `Access-Control-Allow-Private-Network` not
    /// `true`. Not produced.
    PreflightInvalidAllowPrivateNetwork,
    /// `Access-Control-Allow-Methods` does not parse as a list of methods.
    InvalidAllowMethodsPreflightResponse,
    /// `Access-Control-Allow-Headers` does not parse as a list of names.
    InvalidAllowHeadersPreflightResponse,
    /// The method is not allowed by `Access-Control-Allow-Methods`.
    MethodDisallowedByPreflightResponse,
    /// A request header is not allowed by `Access-Control-Allow-Headers`.
    HeaderDisallowedByPreflightResponse,
    /// A redirect `Location` carries userinfo (`http://user:pass@host/`)
    /// and the request is cross-origin (or its origin is tainted).
    RedirectContainsCredentials,
    /// Private Network Access from an insecure context. Not produced.
    InsecurePrivateNetwork,
    /// Private Network Access: invalid target address space. Not produced.
    InvalidPrivateNetworkAccess,
    /// Private Network Access: unexpected address space. Not produced.
    UnexpectedPrivateNetworkAccess,
    /// no-cors request with a redirect mode other than follow. Not produced.
    NoCorsRedirectModeNotFollow,
    /// Private Network Access: `Private-Network-Access-ID` missing. Not produced.
    PreflightMissingPrivateNetworkAccessId,
    /// Private Network Access: `Private-Network-Access-Name` missing. Not produced.
    PreflightMissingPrivateNetworkAccessName,
    /// Private Network Access permission unavailable. Not produced.
    PrivateNetworkAccessPermissionUnavailable,
    /// Private Network Access permission denied. Not produced.
    PrivateNetworkAccessPermissionDenied,
    /// Local Network Access permission denied. Not produced.
    LocalNetworkAccessPermissionDenied,
}

impl CorsError {
    /// Whether this reason concerns the preflight (OPTIONS) response.
    pub fn is_preflight(&self) -> bool {
        matches!(
            self,
            CorsError::PreflightInvalidStatus
                | CorsError::PreflightDisallowedRedirect
                | CorsError::PreflightWildcardOriginNotAllowed
                | CorsError::PreflightMissingAllowOriginHeader
                | CorsError::PreflightMultipleAllowOriginValues
                | CorsError::PreflightInvalidAllowOriginValue
                | CorsError::PreflightAllowOriginMismatch
                | CorsError::PreflightInvalidAllowCredentials
                | CorsError::PreflightMissingAllowExternal
                | CorsError::PreflightInvalidAllowExternal
                | CorsError::PreflightMissingAllowPrivateNetwork
                | CorsError::PreflightInvalidAllowPrivateNetwork
                | CorsError::InvalidAllowMethodsPreflightResponse
                | CorsError::InvalidAllowHeadersPreflightResponse
                | CorsError::MethodDisallowedByPreflightResponse
                | CorsError::HeaderDisallowedByPreflightResponse
                | CorsError::PreflightMissingPrivateNetworkAccessId
                | CorsError::PreflightMissingPrivateNetworkAccessName
        )
    }

    /// The preflight counterpart of an actual-response CORS check error
    /// (the CORS check runs on both, but Chromium names them apart).
    pub(crate) fn for_preflight(self) -> CorsError {
        match self {
            CorsError::WildcardOriginNotAllowed => CorsError::PreflightWildcardOriginNotAllowed,
            CorsError::MissingAllowOriginHeader => CorsError::PreflightMissingAllowOriginHeader,
            CorsError::MultipleAllowOriginValues => CorsError::PreflightMultipleAllowOriginValues,
            CorsError::InvalidAllowOriginValue => CorsError::PreflightInvalidAllowOriginValue,
            CorsError::AllowOriginMismatch => CorsError::PreflightAllowOriginMismatch,
            CorsError::InvalidAllowCredentials => CorsError::PreflightInvalidAllowCredentials,
            other => other,
        }
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A blocked request: the reason and the parameter that failed.
///
/// ```
/// use tower_cors::check::{Blocked, CorsError};
///
/// let b = Blocked::new(CorsError::HeaderDisallowedByPreflightResponse, Some("x-api-key"));
/// assert_eq!(
///     b.to_string(),
///     "Request header field x-api-key is not allowed by Access-Control-Allow-Headers in preflight response."
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The reason, as Chromium names it.
    pub error: CorsError,
    /// The failed parameter: a header name, a method, the
    /// `Access-Control-Allow-Origin` value, a status code, or an error text.
    pub detail: Option<String>,
}

impl Blocked {
    /// A blocked result with an optional detail.
    pub fn new(error: CorsError, detail: Option<&str>) -> Self {
        Blocked {
            error,
            detail: detail.map(str::to_owned),
        }
    }

    pub(crate) fn with(error: CorsError, detail: impl Into<String>) -> Self {
        Blocked {
            error,
            detail: Some(detail.into()),
        }
    }

    pub(crate) fn bare(error: CorsError) -> Self {
        Blocked {
            error,
            detail: None,
        }
    }

    /// The reason as a browser console would word it (without the
    /// "Access to fetch at ... has been blocked" prefix).
    pub fn reason(&self) -> String {
        let d = self.detail.as_deref().unwrap_or("");
        let pre = "Response to preflight request doesn't pass access control check: ";
        match self.error {
            CorsError::MissingAllowOriginHeader => {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource."
                    .to_owned()
            }
            CorsError::PreflightMissingAllowOriginHeader => format!(
                "{pre}No 'Access-Control-Allow-Origin' header is present on the requested resource."
            ),
            CorsError::WildcardOriginNotAllowed => "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".to_owned(),
            CorsError::PreflightWildcardOriginNotAllowed => format!("{pre}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            CorsError::MultipleAllowOriginValues => format!("The 'Access-Control-Allow-Origin' header contains multiple values '{d}', but only one is allowed."),
            CorsError::PreflightMultipleAllowOriginValues => format!("{pre}The 'Access-Control-Allow-Origin' header contains multiple values '{d}', but only one is allowed."),
            CorsError::InvalidAllowOriginValue => format!("The 'Access-Control-Allow-Origin' header contains the invalid value '{d}'."),
            CorsError::PreflightInvalidAllowOriginValue => format!("{pre}The 'Access-Control-Allow-Origin' header contains the invalid value '{d}'."),
            CorsError::AllowOriginMismatch => format!("The 'Access-Control-Allow-Origin' header has a value '{d}' that is not equal to the supplied origin."),
            CorsError::PreflightAllowOriginMismatch => format!("{pre}The 'Access-Control-Allow-Origin' header has a value '{d}' that is not equal to the supplied origin."),
            CorsError::InvalidAllowCredentials => format!("The value of the 'Access-Control-Allow-Credentials' header in the response is '{d}' which must be 'true' when the request's credentials mode is 'include'."),
            CorsError::PreflightInvalidAllowCredentials => format!("{pre}The value of the 'Access-Control-Allow-Credentials' header in the response is '{d}' which must be 'true' when the request's credentials mode is 'include'."),
            CorsError::PreflightInvalidStatus => format!("{pre}It does not have HTTP ok status (got {d})."),
            CorsError::PreflightDisallowedRedirect => format!("{pre}Redirect is not allowed for a preflight request (Location: {d})."),
            CorsError::InvalidAllowMethodsPreflightResponse => format!("Cannot parse Access-Control-Allow-Methods response header field in preflight response ('{d}')."),
            CorsError::InvalidAllowHeadersPreflightResponse => format!("Cannot parse Access-Control-Allow-Headers response header field in preflight response ('{d}')."),
            CorsError::MethodDisallowedByPreflightResponse => format!("Method {d} is not allowed by Access-Control-Allow-Methods in preflight response."),
            CorsError::HeaderDisallowedByPreflightResponse => format!("Request header field {d} is not allowed by Access-Control-Allow-Headers in preflight response."),
            CorsError::CorsDisabledScheme => format!("Cross origin requests are only supported for protocol schemes: http, https (got '{d}')."),
            CorsError::RedirectContainsCredentials => format!("Redirect location '{d}' contains a username and password, which is disallowed for cross-origin requests."),
            other => {
                if d.is_empty() {
                    format!("{other}.")
                } else {
                    format!("{other} ({d}).")
                }
            }
        }
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}

/// A request that failed without a CORS error: the browser's fetch rejects
/// (`TypeError: Failed to fetch`) and DevTools reports a `net::ERR_*` code
/// but no `corsError`.
///
/// A [`Verdict`](super::Verdict) that is not allowed carries either a
/// [`Blocked`] (a CORS error, named as Chromium names it) or a
/// `NetworkError`, never both: [`CorsError`] keeps only the DevTools
/// protocol's names.
///
/// ```
/// use tower_cors::check::NetworkError;
///
/// let e = NetworkError::TooManyRedirects;
/// assert_eq!(e.net_error(), "net::ERR_TOO_MANY_REDIRECTS");
/// assert!(e.to_string().contains("20 redirects"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkError {
    /// Chromium sends a `ReadableStream` request body only over HTTP/2 or
    /// later; over HTTP/1.1 (every `http://` URL) the fetch fails after the
    /// preflight, before the actual request leaves
    /// (`net::ERR_ALPN_NEGOTIATION_FAILED`). [`Mode::Chromium`](super::Mode)
    /// only: the standard has no such rule.
    StreamUploadOverHttp1,
    /// A redirect of a request whose body is a stream (only a 303, which
    /// drops the body, may be followed): the body cannot be sent again.
    StreamBodyRedirect,
    /// The 21st redirect: the standard and Chromium follow at most 20.
    TooManyRedirects,
    /// A redirect whose `Location` the model cannot resolve to a URL (it
    /// refuses what it cannot normalize as a browser would, see
    /// [`BrowserRequest::new`](super::BrowserRequest::new)).
    InvalidRedirect(String),
    /// A redirect to a scheme other than http or https. (The live suite
    /// sees Chromium fail such a fetch without a CORS error; the `net::`
    /// code given by [`NetworkError::net_error`] is the one Chromium's
    /// network stack names for it, not captured by the suite.)
    UnsafeRedirect(String),
    /// The service returned an error (a refused or reset connection for a
    /// real server), or the model could not build the request for it.
    Failed(String),
}

impl NetworkError {
    /// The `net::ERR_*` code Chromium reports (DevTools `errorText`).
    pub fn net_error(&self) -> &'static str {
        match self {
            NetworkError::StreamUploadOverHttp1 => "net::ERR_ALPN_NEGOTIATION_FAILED",
            NetworkError::StreamBodyRedirect => "net::ERR_FAILED",
            NetworkError::TooManyRedirects => "net::ERR_TOO_MANY_REDIRECTS",
            NetworkError::InvalidRedirect(_) => "net::ERR_INVALID_REDIRECT",
            NetworkError::UnsafeRedirect(_) => "net::ERR_UNSAFE_REDIRECT",
            NetworkError::Failed(_) => "net::ERR_FAILED",
        }
    }
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkError::StreamUploadOverHttp1 => f.write_str(
                "Chromium sends a streaming request body only over HTTP/2 or later, and this \
                 request would go over HTTP/1.1",
            ),
            NetworkError::StreamBodyRedirect => f.write_str(
                "the request body is a stream, which cannot be sent again after a redirect",
            ),
            NetworkError::TooManyRedirects => {
                f.write_str("too many redirects (a browser follows at most 20 redirects)")
            }
            NetworkError::InvalidRedirect(l) => {
                write!(f, "the redirect location '{l}' is not a valid URL")
            }
            NetworkError::UnsafeRedirect(l) => {
                write!(f, "the redirect location '{l}' is not an http or https URL")
            }
            NetworkError::Failed(e) => write!(f, "the request failed: {e}"),
        }?;
        write!(f, " ({}).", self.net_error())
    }
}

/// A request the model cannot build, as `fetch()` would refuse it too (or as
/// the model does not support it). Its message names the bad input.
///
/// ```
/// use tower_cors::check::BrowserRequest;
///
/// let err = BrowserRequest::new("http://localhost:3000", "GET", "http://api.test/x")
///     .and_then(|r| r.header("Cookie", "a=b"))
///     .unwrap_err();
/// assert!(err.to_string().contains("Cookie"));
/// ```
#[derive(Debug)]
pub struct CheckError {
    what: &'static str,
    input: String,
    why: String,
}

impl CheckError {
    pub(crate) fn new(what: &'static str, input: &str, why: impl Into<String>) -> Self {
        CheckError {
            what,
            input: input.to_owned(),
            why: why.into(),
        }
    }

    /// The kind of input that was refused, e.g. `"header name"`.
    pub fn what(&self) -> &str {
        self.what
    }

    /// The refused input, as given.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`: {}", self.what, self.input, self.why)
    }
}

impl std::error::Error for CheckError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(CorsError::ALL.len(), 35);
        for e in CorsError::ALL {
            assert_eq!(e.as_str().parse::<CorsError>().ok(), Some(*e));
        }
        assert!("missingalloworiginheader".parse::<CorsError>().is_err());
        assert!("".parse::<CorsError>().is_err());
    }

    #[test]
    fn preflight_counterparts() {
        assert_eq!(
            CorsError::AllowOriginMismatch.for_preflight(),
            CorsError::PreflightAllowOriginMismatch
        );
        assert!(CorsError::PreflightAllowOriginMismatch.is_preflight());
        assert!(!CorsError::AllowOriginMismatch.is_preflight());
    }
}
