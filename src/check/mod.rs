//! A model of the browser's CORS checks (WHATWG Fetch), for tests.
//!
//! The model answers, in a unit test, what a browser would do with a
//! request and the server's responses: whether it sends a preflight and
//! with which `Access-Control-Request-Method` / `-Headers`, whether the
//! preflight passes, whether script can read the response, which response
//! headers it can read, and — when blocked — the reason, named as Chromium
//! names it ([`CorsError`]).
//!
//! It is written from the Fetch standard alone and shares no code with
//! this crate's server side, so that agreement between the two means
//! something.
//!
//! # Example
//!
//! ```
//! use http::{Method, Request, Response, StatusCode};
//! use tower_cors::check::{Browser, BrowserRequest, CorsError, Mode, Preflight};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower_cors::check::CheckError> {
//! // A server that allows PUT from one origin but forgets to expose X-Total.
//! let mut service = tower::service_fn(|req: Request<()>| async move {
//!     let mut res = Response::new(());
//!     let preflight = req.method() == Method::OPTIONS;
//!     if preflight {
//!         *res.status_mut() = StatusCode::NO_CONTENT;
//!     }
//!     let h = res.headers_mut();
//!     h.insert("access-control-allow-origin", "http://localhost:3000".parse().unwrap());
//!     if preflight {
//!         h.insert("access-control-allow-methods", "GET, PUT".parse().unwrap());
//!         h.insert("access-control-allow-headers", "content-type".parse().unwrap());
//!     } else {
//!         h.insert("x-total", "42".parse().unwrap());
//!     }
//!     Ok::<_, std::convert::Infallible>(res)
//! });
//!
//! let mut browser = Browser::new(Mode::Chromium);
//! let req = BrowserRequest::new("http://localhost:3000", "PUT", "http://api.test/items/1")?
//!     .header("Content-Type", "application/json")?
//!     .read_header("X-Total");
//!
//! let verdict = browser.fetch(&mut service, &req).await;
//! assert!(verdict.allowed);
//! assert_eq!(
//!     verdict.preflight,
//!     Preflight::Sent { method: "PUT".into(), headers: Some("content-type".into()) }
//! );
//! assert_eq!(verdict.unreadable_requested, vec!["x-total"]);
//!
//! // Within the default 5 s max-age the preflight is served from the cache.
//! assert_eq!(browser.fetch(&mut service, &req).await.preflight, Preflight::Cached);
//!
//! // A header the server does not allow blocks the request.
//! let req = req.header("X-Api-Key", "k")?;
//! let verdict = browser.fetch(&mut service, &req).await;
//! let blocked = verdict.blocked.clone().unwrap();
//! assert_eq!(blocked.error, CorsError::HeaderDisallowedByPreflightResponse);
//! assert_eq!(blocked.detail.as_deref(), Some("x-api-key"));
//! println!("{}", verdict.explain());
//! # Ok(())
//! # }
//! ```
//!
//! # Spec and Chromium
//!
//! [`Mode::Spec`] follows the Fetch standard. [`Mode::Chromium`] follows
//! Chromium 156 where it differs:
//!
//! - `Access-Control-Allow-Headers: *` (without credentials) also covers
//!   `Authorization` in the check of a fresh preflight response, but not
//!   in the preflight cache: a cached `*` entry never covers it, so a
//!   request with `Authorization` is preflighted again.
//! - `Access-Control-Max-Age` is capped at 7200 s; a negative value means
//!   "do not cache" (0); text that is not a number falls back to the 5 s
//!   default (the standard: anything that is not delta-seconds means 5 s,
//!   and there is no cap).
//! - Repeated script headers are joined into one value (`a, b`) before the
//!   128-byte and safelist checks, and sent as one header line; the
//!   1024-byte total is then practically unreachable.
//! - The preflight cache holds one result per origin and URL, replaced by
//!   each new preflight (the standard accumulates one entry per method and
//!   header name); URLs of 1024 bytes or more are not cached. A
//!   preflighted fetch whose actual response then fails keeps its cache
//!   entry (the standard clears the entries for its origin and URL).
//! - When several headers are disallowed, the first in request order is
//!   named (the standard walks the sorted set).
//! - A `ReadableStream` body ([`BodyKind::Stream`]) is sent only over
//!   HTTP/2 or later, and the model's service stands for an `http://`
//!   server (HTTP/1.1): after the preflight the fetch fails with
//!   [`NetworkError::StreamUploadOverHttp1`] and no CORS error.
//! - A redirect `Location` that is not a usable http(s) URL is refused
//!   before the redirect response's CORS check (the standard checks CORS
//!   first).
//!
//! # Blocked, or failed without a CORS error
//!
//! A [`Verdict`] that is not allowed has either [`Verdict::blocked`] (a
//! CORS error, named exactly as DevTools' `corsError`) or
//! [`Verdict::network_error`] (a failure that DevTools reports only as a
//! `net::ERR_*` code: a stream over HTTP/1.1, too many redirects, an
//! unusable `Location`, a service error).
//!
//! # Redirects
//!
//! [`Browser::fetch`] follows redirects of the actual request like the
//! standard's *HTTP-redirect fetch*, every hop sent to the same service
//! (the `Host` header and the path tell it where): a CORS check on each
//! redirect response of a cross-origin request, a preflight for each hop
//! that needs one, 301/302 `POST` → `GET` and 303 → `GET`, `Authorization`
//! dropped on a hop to another origin, the origin tainted to `null` by a
//! hop to another origin from a URL cross-origin to the page, a `Location`
//! with userinfo blocked (`RedirectContainsCredentials`), at most 20
//! redirects. [`Verdict::redirects`] lists them. A preflight is never
//! redirected (`PreflightDisallowedRedirect`).
//!
//! # What is not modelled
//!
//! Cookies and the HTTP cache; redirect modes other than `follow`; request
//! modes other than `cors`; Private/Local Network Access; Chromium's extra
//! safelisted client-hint request headers; HTTP/2 (so streaming uploads
//! succeed only in [`Mode::Spec`]).

#![forbid(unsafe_code)]

mod browser;
mod cache;
mod cors_check;
mod error;
mod mime;
mod preflight;
mod request;
mod safelist;
mod url;
mod verdict;

pub use browser::Browser;
pub use error::{Blocked, CheckError, CorsError, NetworkError};
pub use request::BrowserRequest;
pub use verdict::{Preflight, Redirect, Verdict};

/// Which browser behaviour to model where browsers and the standard differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The Fetch standard.
    Spec,
    /// What Chromium 156 does where it differs from the standard (see the
    /// module documentation for the list).
    Chromium,
}

/// The request's credentials mode (`fetch(url, { credentials })`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Credentials {
    /// `omit`: never send credentials.
    Omit,
    /// `same-origin` (the `fetch()` default): credentials only to the
    /// page's own origin, so a cross-origin request is not credentialed.
    #[default]
    SameOrigin,
    /// `include`: send credentials cross-origin; the server must answer
    /// with the exact origin and `Access-Control-Allow-Credentials: true`.
    Include,
}

/// The kind of request body.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum BodyKind {
    /// No body.
    #[default]
    None,
    /// A body known in full (string, `Blob`, `FormData`, bytes). Set its
    /// `Content-Type` with [`BrowserRequest::header`]: the model does not
    /// add the one `fetch()` derives from the body type.
    Bytes,
    /// A `ReadableStream` body: sets the use-CORS-preflight flag, so even a
    /// POST is preflighted.
    Stream,
}
