//! [`Verdict`]: what the browser would do, and why, in plain words.

use super::error::{Blocked, NetworkError};

/// Whether and how the preflight happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preflight {
    /// No preflight was needed (same-origin, or a simple request).
    NotNeeded,
    /// A preflight was needed but the preflight cache answered it.
    Cached,
    /// An OPTIONS request was sent with these
    /// `Access-Control-Request-Method` / `-Headers` values.
    Sent {
        /// The `Access-Control-Request-Method` value.
        method: String,
        /// The `Access-Control-Request-Headers` value, if any was sent.
        headers: Option<String>,
    },
}

/// A redirect the browser followed on the way to the final response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The redirect response's status (301, 302, 303, 307 or 308).
    pub status: http::StatusCode,
    /// The URL that answered with the redirect.
    pub from: String,
    /// The URL requested next (`Location` resolved against `from`,
    /// fragment and userinfo dropped).
    pub to: String,
    /// The next request's method: 301 and 302 turn `POST` into `GET`, 303
    /// turns anything but `GET` and `HEAD` into `GET` (and drop the body).
    pub method: String,
    /// The next request's `Origin` header value: `null` once a redirect has
    /// tainted the origin (a hop to another origin from a URL that was
    /// cross-origin to the page).
    pub origin: String,
    /// Whether `Authorization` was dropped (a hop to another origin).
    pub dropped_authorization: bool,
    /// The next request's own preflight (each hop of a cross-origin
    /// request that needs one gets one).
    pub preflight: Preflight,
}

/// The browser's verdict on one request.
///
/// ```
/// use tower_cors::check::{Blocked, CorsError, Preflight, Verdict};
///
/// let v = Verdict {
///     allowed: false,
///     preflight: Preflight::Sent { method: "PUT".into(), headers: None },
///     status: None,
///     readable_headers: vec![],
///     unreadable_requested: vec!["x-total".into()],
///     blocked: Some(Blocked::new(CorsError::MethodDisallowedByPreflightResponse, Some("PUT"))),
///     network_error: None,
///     redirects: vec![],
/// };
/// assert!(v.explain().contains("Method PUT is not allowed by Access-Control-Allow-Methods"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether script gets the response (the fetch promise resolves).
    pub allowed: bool,
    /// What happened with the preflight.
    pub preflight: Preflight,
    /// The actual response's status, if the actual request was sent.
    pub status: Option<http::StatusCode>,
    /// Lower-case names, sorted, of the response headers present that
    /// script may read. Empty when blocked.
    pub readable_headers: Vec<String>,
    /// Names given to `read_header` that script may not read (all of them
    /// when blocked).
    pub unreadable_requested: Vec<String>,
    /// Why the request was blocked by CORS, if it was.
    pub blocked: Option<Blocked>,
    /// Why the request failed without a CORS error, if it did (then
    /// `allowed` is false and `blocked` is `None`, as when Chromium's
    /// DevTools report a `net::ERR_*` code without a `corsError`).
    pub network_error: Option<NetworkError>,
    /// The redirects followed, in order (empty when the first response was
    /// final).
    pub redirects: Vec<Redirect>,
}

impl Verdict {
    /// A sentence or two like a browser console line: the outcome, the
    /// reason, the preflight, and what script can and cannot read.
    pub fn explain(&self) -> String {
        let mut out = match (&self.blocked, &self.network_error, self.status) {
            (Some(b), _, _) => format!("Blocked by CORS policy: {}", b.reason()),
            (None, Some(e), _) => format!("Failed without a CORS error: {e}"),
            (None, None, Some(s)) => format!(
                "Allowed: script can read the response (status {}).",
                s.as_u16()
            ),
            (None, None, None) => "Allowed.".to_owned(),
        };
        match &self.preflight {
            Preflight::NotNeeded => {}
            Preflight::Cached => {
                out.push_str(" The preflight was answered from the preflight cache.")
            }
            Preflight::Sent { method, headers } => {
                out.push_str(&format!(
                    " A preflight was sent (Access-Control-Request-Method: {method}"
                ));
                if let Some(h) = headers {
                    out.push_str(&format!(", Access-Control-Request-Headers: {h}"));
                }
                out.push_str(").");
            }
        }
        for r in &self.redirects {
            out.push_str(&format!(
                " Redirected ({}) to {} ({}, Origin: {}{}).",
                r.status.as_u16(),
                r.to,
                r.method,
                r.origin,
                if r.dropped_authorization {
                    ", Authorization dropped"
                } else {
                    ""
                }
            ));
            match &r.preflight {
                Preflight::NotNeeded => {}
                Preflight::Cached => out.push_str(" Its preflight came from the cache."),
                Preflight::Sent { .. } => out.push_str(" It was preflighted."),
            }
        }
        if !self.allowed {
            if let (Some(s), false) = (self.status, self.preflight_failed()) {
                out.push_str(&format!(
                    " The server did answer (status {}), but script cannot see the response.",
                    s.as_u16()
                ));
            }
        } else if !self.readable_headers.is_empty() {
            out.push_str(&format!(
                " Readable headers: {}.",
                self.readable_headers.join(", ")
            ));
        }
        if !self.unreadable_requested.is_empty() {
            out.push_str(&format!(
                " Not readable by script: {}{}",
                self.unreadable_requested.join(", "),
                if !self.allowed {
                    "."
                } else {
                    " (list them in Access-Control-Expose-Headers)."
                }
            ));
        }
        out
    }

    fn preflight_failed(&self) -> bool {
        self.blocked
            .as_ref()
            .is_some_and(|b| b.error.is_preflight())
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CorsError;
    use http::StatusCode;

    #[test]
    fn explains_allowed() {
        let v = Verdict {
            allowed: true,
            preflight: Preflight::Sent {
                method: "PUT".into(),
                headers: Some("x-a".into()),
            },
            status: Some(StatusCode::OK),
            readable_headers: vec!["content-type".into(), "x-total".into()],
            unreadable_requested: vec!["x-secret".into()],
            blocked: None,
            network_error: None,
            redirects: vec![],
        };
        assert_eq!(
            v.explain(),
            "Allowed: script can read the response (status 200). A preflight was sent \
             (Access-Control-Request-Method: PUT, Access-Control-Request-Headers: x-a). \
             Readable headers: content-type, x-total. Not readable by script: x-secret \
             (list them in Access-Control-Expose-Headers)."
        );
    }

    #[test]
    fn explains_blocked() {
        let v = Verdict {
            allowed: false,
            preflight: Preflight::NotNeeded,
            status: Some(StatusCode::OK),
            readable_headers: vec![],
            unreadable_requested: vec![],
            blocked: Some(Blocked::new(CorsError::MissingAllowOriginHeader, None)),
            network_error: None,
            redirects: vec![],
        };
        assert_eq!(
            v.explain(),
            "Blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the \
             requested resource. The server did answer (status 200), but script cannot see the response."
        );
    }
}
