//! Turning a [`Decision`] into headers: the values computed once at build, the per-request
//! answers, and the merge into the inner response's `Vary`.

use http::header::{
    GetAll, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Response};

use super::decision::{AllowOrigin, Decision, DecisionKind};
use super::{CorsPolicy, Inner, Methods, RequestHeaders};

/// The response header that grants a Private Network Access preflight.
pub(crate) const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

const TRUE: HeaderValue = HeaderValue::from_static("true");
const ANY: HeaderValue = HeaderValue::from_static("*");
const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");
const PREFLIGHT_VARY_VALUE: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);
const PREFLIGHT_VARY_PNA_VALUE: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, \
     Access-Control-Request-Private-Network",
);

/// What an actual response varies on.
const ACTUAL_VARY: &[&str] = &["Origin"];
/// What a preflight response varies on, without and with Private Network Access.
pub(crate) const PREFLIGHT_VARY: &[&str] = &[
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Private-Network",
];

/// Every header by which a response grants CORS access: the layer owns these.
const CORS_RESPONSE_HEADERS: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ALLOW_PRIVATE_NETWORK,
];

impl CorsPolicy {
    /// The response for a decision that [short-circuits](Decision::short_circuits): a preflight
    /// answer (success status, or the rejection status when the origin is not allowed or the
    /// request is malformed), or the refusal of a disallowed origin. The body is left to the
    /// caller.
    ///
    /// ```
    /// use http::Request;
    /// use tower_cors::CorsPolicy;
    ///
    /// let policy = CorsPolicy::builder().allow_origins(["https://a.example"]).build()?;
    /// let (parts, ()) = Request::options("/")
    ///     .header("origin", "https://b.example")
    ///     .header("access-control-request-method", "GET")
    ///     .body(())?
    ///     .into_parts();
    /// let response = policy.respond(&policy.evaluate(&parts));
    /// assert_eq!(response.status(), 403);
    /// assert!(response.headers().get("access-control-allow-origin").is_none());
    /// assert_eq!(
    ///     response.headers()["vary"],
    ///     "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn respond(&self, decision: &Decision) -> Response<()> {
        let i = &*self.inner;
        let mut response = Response::new(());
        match &decision.allow_origin {
            Some(origin) if decision.kind == DecisionKind::Preflight => {
                *response.status_mut() = i.behaviour.preflight_status;
                *response.headers_mut() = i.preflight_headers.clone();
                write_preflight_answer(decision, origin, response.headers_mut());
            }
            _ => {
                *response.status_mut() = i.behaviour.rejection_status;
                self.apply(decision, response.headers_mut());
            }
        }
        response
    }

    /// Writes a decision's CORS headers into a response's headers.
    ///
    /// Unless the policy keeps the inner service's own CORS headers, any `Access-Control-*`
    /// response header already present is removed first, so the answer is the policy's alone.
    /// `Vary` is merged: existing names are kept, nothing is added twice, `*` is left alone.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Request};
    /// use tower_cors::CorsPolicy;
    ///
    /// let policy = CorsPolicy::builder()
    ///     .allow_origins(["https://a.example"])
    ///     .expose_headers(["x-request-id"])
    ///     .build()?;
    /// let (parts, ()) = Request::get("/")
    ///     .header("origin", "https://a.example")
    ///     .body(())?
    ///     .into_parts();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("vary", HeaderValue::from_static("Accept-Encoding"));
    /// policy.apply(&policy.evaluate(&parts), &mut headers);
    /// assert_eq!(headers["access-control-allow-origin"], "https://a.example");
    /// assert_eq!(headers["access-control-expose-headers"], "x-request-id");
    /// assert_eq!(headers["vary"], "Accept-Encoding, Origin");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, decision: &Decision, headers: &mut HeaderMap) {
        let i = &*self.inner;
        if decision.kind != DecisionKind::NotCors {
            let inner_cors = has_cors_headers(headers);
            if !(inner_cors && i.behaviour.keep_inner_cors_headers) {
                if inner_cors {
                    for name in CORS_RESPONSE_HEADERS {
                        headers.remove(name);
                    }
                }
                write_grant(i, decision, headers);
            }
        }
        if decision.kind == DecisionKind::Preflight {
            let (value, names) = preflight_vary(i.private_network);
            merge_vary(headers, &value, names);
        } else {
            merge_vary(headers, &VARY_ORIGIN, ACTUAL_VARY);
        }
    }
}

/// The headers by which a response grants the decision's origin access, if it is allowed.
fn write_grant(i: &Inner, decision: &Decision, headers: &mut HeaderMap) {
    match (&decision.allow_origin, decision.kind) {
        (Some(origin), DecisionKind::Preflight) => {
            write_preflight_constants(i, headers);
            write_preflight_answer(decision, origin, headers);
        }
        (Some(origin), _) => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin_value(origin));
            if i.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(expose) = &i.expose {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
            }
        }
        (None, _) => {}
    }
}

fn allow_origin_value(origin: &AllowOrigin) -> HeaderValue {
    match origin {
        AllowOrigin::Any => ANY,
        AllowOrigin::Exactly(v) => v.clone(),
    }
}

/// The preflight headers that do not depend on the request: credentials, the listed methods and
/// headers, max-age.
fn write_preflight_constants(i: &Inner, headers: &mut HeaderMap) {
    if i.credentials {
        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    if let Methods::List {
        header: Some(v), ..
    } = &i.methods
    {
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v.clone());
    }
    if let RequestHeaders::List {
        header: Some(v), ..
    } = &i.headers
    {
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
    }
    if let Some(v) = &i.max_age {
        headers.insert(ACCESS_CONTROL_MAX_AGE, v.clone());
    }
}

/// The preflight headers that answer this request: the origin, the requested method and header
/// names when any are allowed, Private Network Access.
fn write_preflight_answer(decision: &Decision, origin: &AllowOrigin, headers: &mut HeaderMap) {
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin_value(origin));
    if let Some(v) = &decision.echo_method {
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v.clone());
    }
    if let Some(v) = &decision.echo_headers {
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
    }
    if decision.private_network {
        headers.insert(ALLOW_PRIVATE_NETWORK, TRUE);
    }
}

/// The headers every answered preflight carries, built once per policy. It holds a placeholder
/// `Access-Control-Allow-Origin` that every answer overwrites, and spare index room (a clone
/// keeps the index size), so that writing the answer into a clone allocates nothing more.
pub(crate) fn preflight_template(i: &Inner) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(12);
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
    write_preflight_constants(i, &mut headers);
    let (value, _) = preflight_vary(i.private_network);
    headers.insert(VARY, value);
    headers
}

/// The preflight `Vary` value and its names, with Private Network Access or without.
fn preflight_vary(private_network: bool) -> (HeaderValue, &'static [&'static str]) {
    if private_network {
        (PREFLIGHT_VARY_PNA_VALUE, PREFLIGHT_VARY)
    } else {
        (PREFLIGHT_VARY_VALUE, &PREFLIGHT_VARY[..3])
    }
}

fn has_cors_headers(headers: &HeaderMap) -> bool {
    headers
        .keys()
        .any(|k| k.as_str().starts_with("access-control-"))
}

/// Joins the names of several `Access-Control-Request-Headers` lines (or one with empty items)
/// into one canonical list. Only reached for requests no browser sends, so it may allocate.
pub(crate) fn join_names(lines: GetAll<'_, HeaderValue>) -> Option<HeaderValue> {
    let mut joined = Vec::new();
    for line in lines {
        for item in line.as_bytes().split(|&b| b == b',') {
            let item = item.trim_ascii();
            if !item.is_empty() {
                if !joined.is_empty() {
                    joined.push(b',');
                }
                joined.extend_from_slice(item);
            }
        }
    }
    HeaderValue::from_bytes(&joined).ok()
}

/// Adds `names` to the response's `Vary` as one HTTP list.
///
/// `value` is `names` joined, precomputed so the common case (no `Vary` yet) allocates nothing.
fn merge_vary(headers: &mut HeaderMap, value: &HeaderValue, names: &[&str]) {
    let existing = headers.get_all(VARY);
    if existing.iter().next().is_none() {
        headers.insert(VARY, value.clone());
        return;
    }
    let mut present = [false; PREFLIGHT_VARY.len()];
    for line in existing.iter() {
        for item in line.as_bytes().split(|&b| b == b',') {
            let item = item.trim_ascii();
            if item == b"*" {
                return;
            }
            for (seen, name) in present.iter_mut().zip(names) {
                *seen |= item.eq_ignore_ascii_case(name.as_bytes());
            }
        }
    }
    if present.iter().zip(names).all(|(seen, _)| *seen) {
        return;
    }
    let missing = names
        .iter()
        .zip(present)
        .filter(|(_, seen)| !seen)
        .map(|(name, _)| *name);
    let mut merged: Vec<u8> = Vec::new();
    for part in existing
        .iter()
        .map(HeaderValue::as_bytes)
        .chain(missing.map(str::as_bytes))
    {
        if !part.trim_ascii().is_empty() {
            if !merged.is_empty() {
                merged.extend_from_slice(b", ");
            }
            merged.extend_from_slice(part);
        }
    }
    if let Ok(v) = HeaderValue::from_bytes(&merged) {
        headers.insert(VARY, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(existing: &[&str], names: &[&str]) -> Vec<String> {
        let mut h = HeaderMap::new();
        for e in existing {
            h.append(VARY, HeaderValue::from_str(e).unwrap());
        }
        let value = HeaderValue::from_str(&names.join(", ")).unwrap();
        merge_vary(&mut h, &value, names);
        h.get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_is_merged_as_one_list_without_duplicates() {
        assert_eq!(merged(&[], &["Origin"]), ["Origin"]);
        assert_eq!(
            merged(&["Accept-Encoding"], &["Origin"]),
            ["Accept-Encoding, Origin"]
        );
        assert_eq!(merged(&["origin"], &["Origin"]), ["origin"]);
        assert_eq!(
            merged(&["Accept-Encoding, ORIGIN"], &["Origin"]),
            ["Accept-Encoding, ORIGIN"]
        );
        assert_eq!(merged(&["*"], &["Origin"]), ["*"]);
        assert_eq!(
            merged(&["Accept", "Cookie"], &["Origin"]),
            ["Accept, Cookie, Origin"]
        );
        assert_eq!(
            merged(&["Origin"], &PREFLIGHT_VARY[..3]),
            ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
        );
        assert_eq!(merged(&["", "Origin"], &["Origin"]), ["", "Origin"]);
    }
}
