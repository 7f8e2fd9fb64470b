//! Configuration errors.

use std::fmt;

/// Which wildcard setting a [`ConfigError::WildcardWithCredentials`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wildcard {
    /// `*` (any origin) in the origin list.
    Origins,
    /// `*` in the method list.
    Methods,
    /// `*` in the request-header list.
    Headers,
    /// `*` in the expose-header list.
    ExposeHeaders,
}

/// A CORS configuration that cannot be built, with the input at fault.
///
/// Every variant's [`Display`](fmt::Display) is a sentence that names the offending input and says
/// what to write instead, so it can be shown to whoever wrote the configuration as it is.
///
/// ```
/// use tower_cors::{ConfigError, CorsPolicy};
///
/// let err = CorsPolicy::builder()
///     .allow_origins(["http://localhost:3000/api"])
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, ConfigError::InvalidOrigin { .. }));
/// assert_eq!(
///     err.to_string(),
///     "`http://localhost:3000/api` is not an origin: an origin has no path; \
///      did you mean `http://localhost:3000`?"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A listed origin is not a serialized origin (`scheme://host[:port]`).
    InvalidOrigin {
        /// The origin as written.
        input: String,
        /// Why it is not an origin.
        reason: String,
        /// What was probably meant, when that can be told.
        suggestion: Option<String>,
    },
    /// A `*.` origin pattern that is not of the form `scheme://*.domain[:port|:*]`.
    InvalidPattern {
        /// The pattern as written.
        input: String,
        /// Why it is not accepted.
        reason: String,
    },
    /// An origin regex that does not compile.
    InvalidRegex {
        /// The regex as written.
        input: String,
        /// The compiler's message.
        error: String,
    },
    /// A header name that is not an HTTP token.
    InvalidHeaderName {
        /// The setting the name was given to (`allow_headers`, `expose_headers`).
        setting: &'static str,
        /// The name as written.
        input: String,
    },
    /// A method that is not an HTTP token.
    InvalidMethod {
        /// The method as written.
        input: String,
    },
    /// A wildcard combined with credentials, which browsers refuse.
    WildcardWithCredentials {
        /// Which list held the wildcard.
        wildcard: Wildcard,
    },
    /// The policy allows no origin at all, which can only be a mistake.
    NoOrigins,
    /// A preflight success status that browsers do not treat as success.
    InvalidPreflightStatus {
        /// The status given.
        status: u16,
    },
    /// Refusing disallowed origins needs the verdict before the inner service is called, which
    /// an asynchronous origin predicate cannot give.
    RefusalWithAsyncPredicate,
    /// An error in a configuration field or environment variable (feature `serde`).
    Setting {
        /// The field (`allow_origins`) or variable (`CORS_ORIGINS`) at fault.
        setting: String,
        /// What is wrong with it.
        error: Box<ConfigError>,
    },
    /// A path pattern for a path-scoped policy that cannot be used.
    InvalidPath {
        /// The path pattern as written.
        input: String,
        /// Why it is not accepted.
        reason: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidOrigin {
                input,
                reason,
                suggestion,
            } => {
                write!(f, "`{input}` is not an origin: {reason}")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => Ok(()),
                }
            }
            ConfigError::InvalidPattern { input, reason } => write!(
                f,
                "`{input}` is not an origin pattern: {reason}; write it as \
                 `https://*.example.com`, `https://*.example.com:8443` or `https://*.example.com:*`"
            ),
            ConfigError::InvalidRegex { input, error } => {
                write!(f, "origin regex `{input}` does not compile: {error}")
            }
            ConfigError::InvalidHeaderName { setting, input } => write!(
                f,
                "{setting}: `{input}` is not a header name: a header name is a non-empty token \
                 (letters, digits and !#$%&'*+-.^_`|~), without spaces, colons or a value"
            ),
            ConfigError::InvalidMethod { input } => write!(
                f,
                "allow_methods: `{input}` is not a method: a method is a non-empty token \
                 such as `GET` or `PATCH`, without spaces or commas"
            ),
            ConfigError::WildcardWithCredentials { wildcard } => f.write_str(match wildcard {
                Wildcard::Origins => {
                    "allow_credentials(true) cannot be combined with any origin (`*`): browsers \
                     refuse `Access-Control-Allow-Origin: *` on credentialed requests. List the \
                     origins (`allow_origins([\"https://app.example.com\"])`) or a pattern \
                     (`https://*.example.com`); only if every site on the web may read your users' \
                     data, call `dangerously_reflect_any_origin()`"
                }
                Wildcard::Methods => {
                    "allow_methods: `*` with allow_credentials(true) means a method literally \
                     named `*` to browsers; call `allow_any_method()` to accept every method \
                     (it answers with the requested method), or list the methods"
                }
                Wildcard::Headers => {
                    "allow_headers: `*` with allow_credentials(true) means a header literally \
                     named `*` to browsers; call `allow_any_header()` to accept every header \
                     (it answers with the requested names), or list the headers"
                }
                Wildcard::ExposeHeaders => {
                    "expose_headers: `*` with allow_credentials(true) exposes only a header \
                     literally named `*`; list the response headers scripts may read, \
                     e.g. `expose_headers([\"x-request-id\"])`"
                }
            }),
            ConfigError::NoOrigins => f.write_str(
                "the policy allows no origin, so it would refuse every cross-origin request; \
                 add `allow_origins([...])`, `allow_origin_regex(...)`, `allow_origin_fn(...)` \
                 or `allow_any_origin()`",
            ),
            ConfigError::InvalidPreflightStatus { status } => write!(
                f,
                "preflight_status({status}): browsers accept a preflight only with a 2xx status; \
                 use 204 (the default) or 200"
            ),
            ConfigError::RefusalWithAsyncPredicate => f.write_str(
                "refuse_disallowed_origins(true) cannot be combined with allow_origin_async_fn: \
                 a refusal must be decided before the inner service runs, and an asynchronous \
                 lookup decides only later; load the origins into an OriginAllowlist instead, \
                 or let disallowed requests through (the browser still keeps the answer from \
                 the page)",
            ),
            // Header and method errors already start with the setting's name.
            ConfigError::Setting { setting, error } if error.named_setting() == Some(setting) => {
                error.fmt(f)
            }
            ConfigError::Setting { setting, error } => write!(f, "{setting}: {error}"),
            ConfigError::InvalidPath { input, reason } => write!(
                f,
                "path `{input}` cannot scope a policy: {reason}; write an exact path like \
                 `/api/items` or a prefix like `/api/*`"
            ),
        }
    }
}

impl ConfigError {
    /// The setting the message already starts with, if any.
    fn named_setting(&self) -> Option<&str> {
        match self {
            ConfigError::InvalidHeaderName { setting, .. } => Some(setting),
            ConfigError::InvalidMethod { .. } => Some("allow_methods"),
            _ => None,
        }
    }
}

impl std::error::Error for ConfigError {}
