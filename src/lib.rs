//! CORS for [tower](https://docs.rs/tower) services, with a validated policy and reasons for every rejection.
//!
//! A [`CorsLayer`] wraps any `tower::Service<http::Request<B>>` and hands every decision to a
//! pure [`CorsPolicy`]: which origins may read responses, which methods and headers a preflight
//! may ask for, what a browser may read back. Compared with `tower_http::cors`:
//!
//! - **Configuration is checked, not trusted.** [`CorsPolicyBuilder::build`] returns a
//!   [`ConfigError`] that names the input and the fix (`*` with credentials, an origin with a
//!   path, a regex that does not compile...) instead of panicking or silently never matching.
//! - **Origin matching is safe by construction.** Exact origins are normalised as browsers send
//!   them and looked up in a hash set (constant time for 10,000 entries); `https://*.example.com`
//!   keeps the label boundary; regexes are always anchored at both ends.
//! - **Every rejection has a reason** ([`Rejection`]), logged through `tracing` and, if you ask,
//!   written into the response.
//! - **Preflights fail the way browsers explain best**: an allowed origin asking for a method it
//!   may not use gets the allowed list back, so the browser console names the method.
//!
//! # Quick start (axum)
//!
//! ```
//! use axum::{routing::get, Router};
//! use http::Method;
//! use std::time::Duration;
//! use tower_cors::{CorsLayer, CorsPolicy};
//!
//! # fn main() -> Result<(), tower_cors::ConfigError> {
//! let policy = CorsPolicy::builder()
//!     .allow_origins(["https://app.example.com", "http://localhost:3000"])
//!     .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
//!     .allow_headers(["content-type", "authorization"])
//!     .allow_credentials(true)
//!     .max_age(Duration::from_secs(600))
//!     .build()?;
//!
//! let app: Router = Router::new()
//!     .route("/api/items", get(|| async { "[]" }))
//!     .layer(CorsLayer::new(policy));
//! # Ok(()) }
//! ```
//!
//! Put the layer outermost (last `.layer` call) so that responses made by other layers and
//! fallbacks, 401s and 404s included, carry CORS headers too: a browser hides an error response
//! without them from the page, and the developer sees a CORS error instead of the real one.
//!
//! # What the layer does
//!
//! | Request | Answer |
//! |---|---|
//! | no `Origin` | the inner service's response, plus `Vary: Origin` |
//! | preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`) | answered by the layer: `204` with the allow headers, or `403` for a disallowed origin |
//! | preflight asking for a method or header not allowed | `204` listing what *is* allowed, so the browser names the culprit |
//! | other request, allowed origin | inner response + `Access-Control-Allow-Origin` (the origin, or `*`), credentials and expose headers |
//! | other request, disallowed origin | inner response with no CORS header but `Vary` (or `403` with [`CorsPolicyBuilder::refuse_disallowed_origins`]) |
//!
//! # Errors from the inner service
//!
//! An `Err` from the inner service passes through untouched: there is no response to add headers
//! to. Turn errors into responses *inside* the layer (axum's `HandleErrorLayer`, or a handler
//! that returns a response) so that browsers can read them.

#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

pub mod check;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod config;
mod error;
mod layer;
mod policy;
mod scoped;

pub use error::{ConfigError, Wildcard};
pub use layer::{Cors, CorsLayer, Explain, Quiet, ResponseBody, ResponseFuture};
pub use policy::{
    CorsPolicy, CorsPolicyBuilder, Decision, DecisionKind, Lint, LintKind, Malformed,
    OriginAllowlist, Rejection, RequestedName,
};
pub use scoped::{ScopedPolicies, ScopedPoliciesBuilder};

/// Internals the fuzz targets in `fuzz/` drive directly. cargo-fuzz builds every crate with
/// `--cfg fuzzing`; in any other build this module does not exist. Not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::policy::fuzzing::*;
}

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
