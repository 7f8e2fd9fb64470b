//! Property tests: random policies the builder accepts, random requests (hostile bytes included),
//! through the real `CorsLayer` around a counting inner service.
//!
//! Every case is checked twice: against the invariants of issue 6 (ACAO is `*` or the request's
//! origin, never `*` with credentials, nothing for a disallowed origin but `Vary`, `Vary` without
//! duplicates, who calls the inner service), and against an oracle written here from DESIGN.md
//! alone (which origins a configuration allows, the order of the preflight checks, what each
//! header says). The oracle shares no code with the crate.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS as ACAH, ACCESS_CONTROL_ALLOW_METHODS as ACAM,
    ACCESS_CONTROL_EXPOSE_HEADERS as ACEH, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use tower::{service_fn, ServiceExt};
use tower_cors::{CorsLayer, CorsPolicy, CorsPolicyBuilder, DecisionKind, Malformed, Rejection};
use tower_layer::Layer;

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/// Hosts that exact origins are drawn from (IDN in punycode, IPv6, loopback included).
const HOSTS: &[&str] = &[
    "app.example.com",
    "example.com",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "xn--bcher-kva.example",
    "api.example.org",
];
const PORTS: &[Option<u16>] = &[None, Some(3000), Some(8443), Some(8080)];
const SUFFIXES: &[&str] = &["example.com", "example.org", "localhost"];

/// Origin regexes, each with an independent description of the origins it stands for.
const REGEXES: &[&str] = &[
    r"https://[a-z0-9-]+\.regex\.test",
    r"http://localhost:(3000|8080)",
    r"https://(app|admin)\.example\.net(:8443)?",
];

fn regex_oracle(i: usize, origin: &str) -> bool {
    match i {
        0 => origin
            .strip_prefix("https://")
            .and_then(|r| r.strip_suffix(".regex.test"))
            .is_some_and(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            }),
        1 => origin == "http://localhost:3000" || origin == "http://localhost:8080",
        _ => [
            "https://app.example.net",
            "https://admin.example.net",
            "https://app.example.net:8443",
            "https://admin.example.net:8443",
        ]
        .contains(&origin),
    }
}

fn regex_example(i: usize) -> &'static str {
    [
        "https://x-1.regex.test",
        "http://localhost:8080",
        "https://admin.example.net:8443",
    ][i]
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum PortRule {
    Default,
    Any,
    Exact(u16),
}

#[derive(Clone, Debug)]
enum OriginRule {
    /// An exact origin, written in configuration as `spelling` (upper case, explicit default
    /// port, trailing slash...), which must normalise to `scheme://host[:port]`.
    Exact {
        scheme: &'static str,
        host: &'static str,
        port: Option<u16>,
        spelling: u8,
    },
    /// `scheme://*.suffix[:port]`; `written_port` is what configuration says.
    Pattern {
        scheme: &'static str,
        suffix: &'static str,
        written_port: Option<&'static str>,
    },
    Regex(usize),
    Null,
    Any,
    Reflect,
    /// `https://*.pred.test` through `allow_origin_fn`.
    Predicate,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl OriginRule {
    /// The origin a browser would send for an exact rule.
    fn serialized(scheme: &str, host: &str, port: Option<u16>) -> String {
        match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        }
    }

    /// How configuration writes it.
    fn config_text(&self) -> String {
        match self {
            OriginRule::Exact {
                scheme,
                host,
                port,
                spelling,
            } => {
                let base = Self::serialized(scheme, host, *port);
                match spelling % 4 {
                    0 => base,
                    1 => base.to_ascii_uppercase(),
                    2 => format!("{base}/"),
                    _ if port.is_none() => {
                        format!("{base}:{}", default_port(scheme).unwrap())
                    }
                    _ => base,
                }
            }
            OriginRule::Pattern {
                scheme,
                suffix,
                written_port,
            } => match written_port {
                Some(p) => format!("{scheme}://*.{suffix}:{p}"),
                None => format!("{scheme}://*.{suffix}"),
            },
            OriginRule::Null => "null".into(),
            OriginRule::Any => "*".into(),
            _ => unreachable!("not given through allow_origins"),
        }
    }

    fn port_rule(scheme: &str, written: Option<&str>) -> PortRule {
        match written {
            None => PortRule::Default,
            Some("*") => PortRule::Any,
            Some(p) => {
                let p: u16 = p.parse().unwrap();
                if default_port(scheme) == Some(p) {
                    PortRule::Default
                } else {
                    PortRule::Exact(p)
                }
            }
        }
    }

    /// An origin this rule allows, for requests to start from.
    fn example(&self) -> String {
        match self {
            OriginRule::Exact {
                scheme, host, port, ..
            } => Self::serialized(scheme, host, *port),
            OriginRule::Pattern {
                scheme,
                suffix,
                written_port,
            } => {
                let host = format!("a.{suffix}");
                match Self::port_rule(scheme, *written_port) {
                    PortRule::Default => Self::serialized(scheme, &host, None),
                    PortRule::Any => Self::serialized(scheme, &host, Some(3000)),
                    PortRule::Exact(p) => Self::serialized(scheme, &host, Some(p)),
                }
            }
            OriginRule::Regex(i) => regex_example(*i).into(),
            OriginRule::Null => "null".into(),
            OriginRule::Any | OriginRule::Reflect => "https://anyone.example".into(),
            OriginRule::Predicate => "https://z.pred.test".into(),
        }
    }
}

#[derive(Clone, Debug)]
struct Config {
    rules: Vec<OriginRule>,
    credentials: bool,
    /// `None`: `allow_any_method()`.
    methods: Option<Vec<&'static str>>,
    /// `None`: `allow_any_header()`.
    headers: Option<Vec<&'static str>>,
    expose: Vec<&'static str>,
    max_age: Option<u64>,
    private_network: bool,
    passthrough: bool,
    refuse: bool,
    keep_inner: bool,
    /// `(max_bytes, max_names)`; `None` for the defaults (4096, 64).
    limits: Option<(usize, usize)>,
    preflight_status: u16,
    rejection_status: u16,
}

impl Config {
    /// `*`, unless reflection is on too: reflection then wins (and `null` is not reflected).
    fn any_origin(&self) -> bool {
        self.rules.iter().any(|r| matches!(r, OriginRule::Any))
            && !self.rules.iter().any(|r| matches!(r, OriginRule::Reflect))
    }

    fn limits(&self) -> (usize, usize) {
        self.limits.unwrap_or((4096, 64))
    }

    fn builder(&self, probe: &Probe) -> CorsPolicyBuilder {
        let mut b = CorsPolicy::builder();
        for rule in &self.rules {
            b = match rule {
                OriginRule::Regex(i) => b.allow_origin_regex(REGEXES[*i]),
                OriginRule::Reflect => b.dangerously_reflect_any_origin(),
                OriginRule::Predicate => {
                    let probe = probe.clone();
                    b.allow_origin_fn(move |origin, _| probe.predicate(origin.as_bytes()))
                }
                other => b.allow_origins([other.config_text()]),
            };
        }
        b = match &self.methods {
            Some(m) => b.allow_methods(m.iter().copied()),
            None => b.allow_any_method(),
        };
        b = match &self.headers {
            Some(h) => b.allow_headers(h.iter().copied()),
            None => b.allow_any_header(),
        };
        b = b
            .expose_headers(self.expose.iter().copied())
            .allow_credentials(self.credentials)
            .allow_private_network(self.private_network)
            .preflight_passthrough(self.passthrough)
            .refuse_disallowed_origins(self.refuse)
            .keep_inner_cors_headers(self.keep_inner)
            .preflight_status(StatusCode::from_u16(self.preflight_status).unwrap())
            .rejection_status(StatusCode::from_u16(self.rejection_status).unwrap());
        if let Some(secs) = self.max_age {
            b = b.max_age(Duration::from_secs(secs));
        }
        if let Some((bytes, names)) = self.limits {
            b = b.request_header_limits(bytes, names);
        }
        b
    }

    // --- what the configuration means, written from DESIGN.md -----------------------------

    fn origin_allowed(&self, origin: &[u8]) -> bool {
        if self.any_origin() {
            return true;
        }
        if origin == b"null" {
            return self.rules.iter().any(|r| matches!(r, OriginRule::Null));
        }
        let exact = self.rules.iter().any(|r| match r {
            OriginRule::Exact {
                scheme, host, port, ..
            } => OriginRule::serialized(scheme, host, *port).as_bytes() == origin,
            _ => false,
        });
        if exact {
            return true;
        }
        let Some((scheme, host, port)) = browser_origin(origin) else {
            return false;
        };
        let text = std::str::from_utf8(origin).unwrap();
        self.rules.iter().any(|r| match r {
            OriginRule::Reflect => true,
            OriginRule::Pattern {
                scheme: s,
                suffix,
                written_port,
            } => {
                let dot_suffix = format!(".{suffix}");
                *s == scheme
                    && !host.starts_with('[')
                    && host.len() > dot_suffix.len()
                    && host.ends_with(&dot_suffix)
                    && match OriginRule::port_rule(s, *written_port) {
                        PortRule::Default => port.is_none(),
                        PortRule::Any => true,
                        PortRule::Exact(p) => port == Some(p),
                    }
            }
            OriginRule::Regex(i) => regex_oracle(*i, text),
            OriginRule::Predicate => {
                scheme == "https" && port.is_none() && host.ends_with(".pred.test")
            }
            _ => false,
        })
    }

    /// The normalised method list, or `None` for any.
    fn method_list(&self) -> Option<Vec<String>> {
        let methods = self.methods.as_ref()?;
        if methods.contains(&"*") {
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        for m in methods {
            let standard = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
            let n = standard
                .iter()
                .find(|s| s.eq_ignore_ascii_case(m))
                .map_or_else(|| (*m).to_owned(), |s| (*s).to_owned());
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Some(out)
    }

    fn header_list(&self) -> Option<Vec<String>> {
        let headers = self.headers.as_ref()?;
        if headers.contains(&"*") {
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        for h in headers {
            let n = h.to_ascii_lowercase();
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Some(out)
    }

    fn expose_value(&self) -> Option<String> {
        if self.expose.contains(&"*") {
            return Some("*".into());
        }
        let mut out: Vec<String> = Vec::new();
        for h in &self.expose {
            let n = h.to_ascii_lowercase();
            if !out.contains(&n) {
                out.push(n);
            }
        }
        (!out.is_empty()).then(|| out.join(", "))
    }
}

/// `scheme://host[:port]` exactly as a browser serialises an origin; `None` for anything else.
fn browser_origin(origin: &[u8]) -> Option<(&str, &str, Option<u16>)> {
    if origin.len() > 512 {
        return None;
    }
    let text = std::str::from_utf8(origin).ok()?;
    let (scheme, rest) = text.split_once("://")?;
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b));
    if !scheme_ok {
        return None;
    }
    let (host, port_text) = if rest.starts_with('[') {
        let close = rest.find(']')?;
        let (h, after) = rest.split_at(close + 1);
        let inner = &h[1..h.len() - 1];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase() || b == b':' || b == b'.')
        {
            return None;
        }
        match after {
            "" => (h, None),
            _ => (h, Some(after.strip_prefix(':')?)),
        }
    } else {
        let (h, p) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        let host_ok = !h.is_empty()
            && !h.starts_with('.')
            && !h.contains("..")
            && h.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
            });
        if !host_ok {
            return None;
        }
        (h, p)
    };
    let port = match port_text {
        None => None,
        Some(p) => {
            if p.is_empty()
                || p.len() > 5
                || p.starts_with('0')
                || !p.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let p: u32 = p.parse().ok()?;
            if p > 65535 || default_port(scheme) == Some(p as u16) {
                return None;
            }
            Some(p as u16)
        }
    };
    Some((scheme, host, port))
}

fn origin_rule() -> impl Strategy<Value = OriginRule> {
    prop_oneof![
        6 => (select(&["http", "https"][..]), select(HOSTS), select(PORTS), 0u8..4).prop_map(
            |(scheme, host, port, spelling)| OriginRule::Exact { scheme, host, port, spelling }
        ),
        3 => (
            select(&["http", "https"][..]),
            select(SUFFIXES),
            select(&[None, Some("*"), Some("8443"), Some("443"), Some("80")][..]),
        )
            .prop_map(|(scheme, suffix, written_port)| OriginRule::Pattern {
                scheme,
                suffix,
                written_port
            }),
        2 => (0..REGEXES.len()).prop_map(OriginRule::Regex),
        1 => Just(OriginRule::Null),
        1 => Just(OriginRule::Any),
        1 => Just(OriginRule::Reflect),
        1 => Just(OriginRule::Predicate),
    ]
}

fn config() -> impl Strategy<Value = Config> {
    let methods = prop_oneof![
        1 => Just(None),
        4 => prop::collection::vec(
            select(&["GET", "put", "Delete", "PATCH", "patch", "PROPFIND", "options", "*"][..]),
            0..4
        )
        .prop_map(Some),
    ];
    let headers = prop_oneof![
        1 => Just(None),
        4 => prop::collection::vec(
            select(&["content-type", "Authorization", "x-custom", "X-Other", "*"][..]),
            0..4
        )
        .prop_map(Some),
    ];
    let expose = prop::collection::vec(select(&["x-request-id", "Content-Length", "*"][..]), 0..3);
    let limits = prop_oneof![
        3 => Just(None),
        1 => (0usize..64, 0usize..5).prop_map(Some),
    ];
    (
        prop::collection::vec(origin_rule(), 1..4),
        any::<bool>(),
        methods,
        headers,
        expose,
        prop::option::of(select(&[0u64, 600, 7200, 86_400][..])),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        limits,
        select(&[204u16, 200][..]),
        select(&[403u16, 400, 404][..]),
    )
        .prop_map(
            |(
                rules,
                credentials,
                methods,
                headers,
                expose,
                max_age,
                (private_network, passthrough, refuse, keep_inner),
                limits,
                preflight_status,
                rejection_status,
            )| {
                let mut c = Config {
                    rules,
                    credentials,
                    methods,
                    headers,
                    expose,
                    max_age,
                    private_network,
                    passthrough,
                    refuse,
                    keep_inner,
                    limits,
                    preflight_status,
                    rejection_status,
                };
                // Keep only configurations the builder accepts: `*` never with credentials.
                if c.credentials {
                    c.rules.retain(|r| !matches!(r, OriginRule::Any));
                    if c.rules.is_empty() {
                        c.rules.push(OriginRule::Null);
                    }
                    if let Some(m) = &mut c.methods {
                        m.retain(|m| *m != "*");
                    }
                    if let Some(h) = &mut c.headers {
                        h.retain(|h| *h != "*");
                    }
                    c.expose.retain(|e| *e != "*");
                }
                c
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Req {
    method: &'static str,
    origins: Vec<Vec<u8>>,
    acrm: Vec<Vec<u8>>,
    acrh: Vec<Vec<u8>>,
    pna: Option<&'static str>,
    inner_vary: Option<&'static str>,
    /// Whether the inner service sets CORS headers of its own (only when the policy does not
    /// keep them: kept inner headers are the user's answer, not the layer's).
    inner_cors: bool,
}

impl std::fmt::Debug for Req {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines = |v: &[Vec<u8>]| -> Vec<String> {
            v.iter().map(|l| l.escape_ascii().to_string()).collect()
        };
        f.debug_struct("Req")
            .field("method", &self.method)
            .field("origins", &lines(&self.origins))
            .field("acrm", &lines(&self.acrm))
            .field("acrh", &lines(&self.acrh))
            .field("pna", &self.pna)
            .field("inner_vary", &self.inner_vary)
            .field("inner_cors", &self.inner_cors)
            .finish()
    }
}

/// Bytes a `HeaderValue` accepts (HT, visible ASCII, SP, obs-text).
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => 0x20u8..0x7f,
            1 => Just(b'\t'),
            1 => 0x80u8..=0xff,
            1 => select(&b",:/.*@[] "[..]),
        ],
        0..max,
    )
}

/// A request origin near a configured one: the same, or a classic attack on it.
fn mutate(base: &str, how: u8, extra: &[u8]) -> Vec<u8> {
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, format!(":{p}")),
        _ => (rest, String::new()),
    };
    let s = match how {
        0..=5 => base.to_owned(),
        6 => base.to_ascii_uppercase(),
        7 => {
            let mut c = base.to_owned();
            if let Some(i) = c.find("://") {
                c.replace_range(i + 3..i + 4, &c[i + 3..i + 4].to_ascii_uppercase());
            }
            c
        }
        8 => match default_port(scheme) {
            Some(p) if port.is_empty() => format!("{scheme}://{host}:{p}"),
            _ => format!("{base}:443"),
        },
        9 => format!("{base}/"),
        10 => format!("{scheme}://{host}.evil.net{port}"),
        11 => format!("{scheme}://evil{host}{port}"),
        12 => format!("{scheme}://evil-x.{host}{port}"),
        13 => format!(
            "{scheme}://{}{port}",
            host.split_once('.').map_or(host, |(_, apex)| apex)
        ),
        14 => format!("{scheme}://user@{host}{port}"),
        15 => format!("{base}/path"),
        16 => format!(" {base}"),
        17 => format!("{base} "),
        18 => {
            let other = if scheme == "https" { "http" } else { "https" };
            format!("{other}://{host}{port}")
        }
        19 => format!("{scheme}://{host}:0"),
        20 => format!("{scheme}://{host}:65536"),
        21 => format!("{scheme}://{host}:3001"),
        22 => "null".into(),
        23 => "NULL".into(),
        24 => "file://".into(),
        25 => format!("{base}, https://evil.example"),
        26 => format!("{scheme}://{host}{port}\t"),
        _ => return extra.to_vec(),
    };
    s.into_bytes()
}

const OUTSIDERS: &[&str] = &[
    "https://evil.example",
    "https://app.example.com",
    "http://localhost:3000",
    "https://a.b.example.org",
    "http://[::1]:8080",
];

fn request_for(c: &Config) -> impl Strategy<Value = Req> {
    let mut candidates: Vec<String> = c.rules.iter().map(OriginRule::example).collect();
    candidates.extend(OUTSIDERS.iter().map(|s| (*s).to_owned()));
    let origin = (any::<Index>(), 0u8..30, header_bytes(24))
        .prop_map(move |(i, how, extra)| mutate(i.get::<String>(&candidates), how, &extra))
        .boxed();
    let origins = prop_oneof![
        1 => Just(Vec::new()),
        8 => prop::collection::vec(origin.clone(), 1..=1),
        1 => prop::collection::vec(origin, 2..=3),
    ];
    let method_token = select(
        &[
            "GET", "PUT", "DELETE", "PATCH", "patch", "put", "PROPFIND", "OPTIONS", "*",
            "GET, PUT", "", " PUT", "PO ST",
        ][..],
    )
    .prop_map(|m| m.as_bytes().to_vec());
    let acrm_line = prop_oneof![6 => method_token, 1 => header_bytes(12)];
    let acrm = prop_oneof![
        1 => Just(Vec::new()),
        6 => prop::collection::vec(acrm_line.clone(), 1..=1),
        1 => prop::collection::vec(acrm_line, 2..=3),
    ];
    let name = select(
        &[
            "content-type",
            "Content-Type",
            "authorization",
            "x-custom",
            "X-CUSTOM",
            "x-other",
            "*",
            "x bad",
            "",
            "x-a\tx",
            "a:b",
        ][..],
    );
    let sep = select(&[",", ", ", " ,\t", ",,"][..]);
    let list_line = prop::collection::vec((name, sep), 0..6).prop_map(|items| {
        let mut line = String::new();
        for (i, (n, s)) in items.iter().enumerate() {
            if i > 0 {
                line.push_str(s);
            }
            line.push_str(n);
        }
        line.into_bytes()
    });
    let acrh_line = prop_oneof![
        6 => list_line,
        1 => header_bytes(20),
        1 => (1usize..80).prop_map(|n| "x-custom,".repeat(n).into_bytes()),
    ];
    let acrh = prop::collection::vec(acrh_line, 0..3);
    (
        select(
            &[
                "GET", "POST", "OPTIONS", "OPTIONS", "OPTIONS", "PUT", "DELETE", "PATCH",
                "options", "get", "HEAD", "PROPFIND",
            ][..],
        ),
        origins,
        acrm,
        acrh,
        prop::option::of(select(&["true", "TRUE", "false"][..])),
        prop::option::of(select(
            &["Accept-Encoding", "origin", "*", "Accept, Cookie"][..],
        )),
        any::<bool>(),
    )
        .prop_map(
            move |(method, origins, acrm, acrh, pna, inner_vary, inner_cors)| Req {
                method,
                origins,
                acrm,
                acrh,
                pna,
                inner_vary,
                inner_cors,
            },
        )
}

impl Req {
    fn build(&self) -> Request<String> {
        let mut r = Request::builder()
            .method(Method::from_bytes(self.method.as_bytes()).unwrap())
            .uri("/resource")
            .body(String::new())
            .unwrap();
        let h = r.headers_mut();
        let lines = [
            ("origin", &self.origins),
            ("access-control-request-method", &self.acrm),
            ("access-control-request-headers", &self.acrh),
        ];
        for (name, values) in lines {
            for v in values {
                h.append(name, HeaderValue::from_bytes(v).unwrap());
            }
        }
        if let Some(v) = self.pna {
            h.append(
                "access-control-request-private-network",
                HeaderValue::from_static(v),
            );
        }
        r
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------------------------

fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
}

/// What DESIGN.md says should happen, short of header details.
#[derive(Debug, PartialEq)]
enum Expected {
    NotCors,
    /// The origin (or the number of Origin headers) is rejected: no CORS header but Vary.
    OriginRejected(Rejection),
    /// The origin is allowed; for a preflight, `None` or the first failed check.
    Allowed(Option<Rejection>),
    /// A preflight malformed past the origin check: treated like a rejected origin.
    Malformed(Malformed),
}

/// The kind of rejection, without the values it carries.
fn rejection_kind(r: &Rejection) -> String {
    match r {
        Rejection::Malformed(m) => format!("Malformed({})", malformed_kind(m)),
        other => format!("{other:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap()
            .to_owned(),
    }
}

fn malformed_kind(m: &Malformed) -> String {
    format!("{m:?}")
        .split([' ', '{', '('])
        .next()
        .unwrap()
        .to_owned()
}

/// The names of the `Access-Control-Request-Headers` lines, or the first error as a kind.
enum Scan {
    Names(Vec<Vec<u8>>),
    Error(String),
}

fn scan_acrh(c: &Config, lines: &[Vec<u8>]) -> Scan {
    let (max_bytes, max_names) = c.limits();
    if lines.iter().map(Vec::len).sum::<usize>() > max_bytes {
        return Scan::Error("Malformed(RequestHeadersTooLong)".into());
    }
    let allowed = c.header_list();
    let mut names = Vec::new();
    for line in lines {
        for item in line.split(|&b| b == b',') {
            let start = item.iter().position(|b| !b" \t".contains(b));
            let Some(start) = start else { continue };
            let end = item.iter().rposition(|b| !b" \t".contains(b)).unwrap() + 1;
            let name = &item[start..end];
            if !is_token(name) {
                return Scan::Error("Malformed(InvalidRequestHeader)".into());
            }
            if names.len() + 1 > max_names {
                return Scan::Error("Malformed(TooManyRequestHeaders)".into());
            }
            let ok = match &allowed {
                // Any header, but never a name literally `*` with credentials: echoed back,
                // it would be a wildcard next to `Access-Control-Allow-Credentials: true`.
                None => !(c.credentials && name == b"*"),
                Some(list) => list.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(name)),
            };
            if !ok {
                return Scan::Error("HeaderNotAllowed".into());
            }
            names.push(name.to_vec());
        }
    }
    Scan::Names(names)
}

fn is_preflight(r: &Req) -> bool {
    r.method == "OPTIONS" && !r.origins.is_empty() && !r.acrm.is_empty()
}

/// The first failed preflight check (as a kind), after the origin was allowed.
fn preflight_check(c: &Config, r: &Req) -> Option<String> {
    if r.acrm.len() > 1 {
        return Some("Malformed(SeveralRequestMethods)".into());
    }
    let method = &r.acrm[0];
    if !is_token(method) {
        return Some("Malformed(InvalidRequestMethod)".into());
    }
    let method_ok = match c.method_list() {
        None => !(c.credentials && method == b"*"),
        Some(list) => {
            [&b"GET"[..], b"HEAD", b"POST"].contains(&method.as_slice())
                || list.iter().any(|m| m.as_bytes() == method.as_slice())
        }
    };
    if !method_ok {
        return Some("MethodNotAllowed".into());
    }
    if let Scan::Error(e) = scan_acrh(c, &r.acrh) {
        return Some(e);
    }
    if r.pna == Some("true") && !c.private_network {
        return Some("PrivateNetworkNotAllowed".into());
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------------

/// Watches the origin predicate: how often it runs, and whether it ever saw an origin that is
/// not a browser serialisation.
#[derive(Clone, Default)]
struct Probe {
    calls: Arc<AtomicUsize>,
    saw_malformed: Arc<AtomicBool>,
}

impl Probe {
    fn predicate(&self, origin: &[u8]) -> bool {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if browser_origin(origin).is_none() {
            self.saw_malformed.store(true, Ordering::SeqCst);
            return false;
        }
        let o = std::str::from_utf8(origin).unwrap();
        o.starts_with("https://") && o.ends_with(".pred.test")
    }
}

fn items(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn one(headers: &HeaderMap, name: &str) -> Result<Option<Vec<u8>>, TestCaseError> {
    let all: Vec<_> = headers.get_all(name).iter().collect();
    prop_assert!(
        all.len() <= 1,
        "{name} sent {} times: {headers:?}",
        all.len()
    );
    Ok(all.first().map(|v| v.as_bytes().to_vec()))
}

fn cors_headers(headers: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-"))
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    v.sort();
    v
}

const INNER_CORS: &[(&str, &str)] = &[
    ("access-control-allow-origin", "*"),
    ("access-control-allow-credentials", "true"),
    ("access-control-expose-headers", "*"),
];

fn check(rt: &tokio::runtime::Runtime, c: &Config, r: &Req) -> Result<(), TestCaseError> {
    let probe = Probe::default();
    let policy = c
        .builder(&probe)
        .build()
        .map_err(|e| TestCaseError::fail(format!("the builder refused {c:?}: {e}")))?;

    // The decision, read directly.
    let decision = policy.evaluate(&r.build().into_parts().0);
    // Work per request is bounded by configuration: each predicate runs at most once.
    let predicates = c
        .rules
        .iter()
        .filter(|r| matches!(r, OriginRule::Predicate))
        .count();
    prop_assert!(
        probe.calls.load(Ordering::SeqCst) <= predicates,
        "a predicate ran twice"
    );

    // The same request through the real layer, around a counting inner service.
    let calls = Arc::new(AtomicUsize::new(0));
    let inner_cors = r.inner_cors && !c.keep_inner;
    let inner = {
        let calls = calls.clone();
        let vary = r.inner_vary;
        service_fn(move |_: Request<String>| {
            calls.fetch_add(1, Ordering::SeqCst);
            let mut res = Response::new(String::from("inner"));
            if let Some(v) = vary {
                res.headers_mut().insert(VARY, HeaderValue::from_static(v));
            }
            if inner_cors {
                for (n, v) in INNER_CORS {
                    res.headers_mut().insert(*n, HeaderValue::from_static(v));
                }
            }
            async move { Ok::<_, Infallible>(res) }
        })
    };
    let svc = CorsLayer::new(policy.clone()).layer(inner);
    let res = rt.block_on(svc.oneshot(r.build())).unwrap();
    prop_assert!(
        !probe.saw_malformed.load(Ordering::SeqCst),
        "the predicate saw a malformed origin"
    );
    prop_assert!(
        probe.calls.load(Ordering::SeqCst) <= 2 * predicates,
        "a predicate ran twice"
    );
    let h = res.headers();
    let inner_calls = calls.load(Ordering::SeqCst);

    // --- The oracle's verdict, compared with the decision -----------------------------------
    let preflight = is_preflight(r);
    let expected = match r.origins.len() {
        0 => Expected::NotCors,
        1 if !c.origin_allowed(&r.origins[0]) => {
            Expected::OriginRejected(Rejection::OriginNotAllowed {
                origin: HeaderValue::from_bytes(&r.origins[0]).unwrap(),
            })
        }
        1 if preflight => match preflight_check(c, r) {
            Some(kind) if kind.starts_with("Malformed") => {
                let got = decision.rejection().map(rejection_kind);
                prop_assert_eq!(got.as_deref(), Some(kind.as_str()));
                let Some(Rejection::Malformed(m)) = decision.rejection() else {
                    unreachable!()
                };
                Expected::Malformed(m.clone())
            }
            Some(kind) => {
                let got = decision.rejection().map(rejection_kind);
                prop_assert_eq!(got.as_deref(), Some(kind.as_str()));
                Expected::Allowed(decision.rejection().cloned())
            }
            None => Expected::Allowed(None),
        },
        1 => Expected::Allowed(None),
        _ => Expected::OriginRejected(Rejection::Malformed(Malformed::SeveralOrigins)),
    };
    let kind = match (r.origins.len(), preflight) {
        (0, _) => DecisionKind::NotCors,
        (_, true) => DecisionKind::Preflight,
        _ => DecisionKind::Actual,
    };
    prop_assert_eq!(decision.kind(), kind);
    match &expected {
        Expected::NotCors | Expected::Allowed(None) => prop_assert_eq!(decision.rejection(), None),
        Expected::OriginRejected(rej) => prop_assert_eq!(decision.rejection(), Some(rej)),
        Expected::Allowed(Some(_)) | Expected::Malformed(_) => {}
    }
    let origin_accepted = matches!(expected, Expected::Allowed(_));

    // --- Who answered ------------------------------------------------------------------------
    let layer_answers = match kind {
        DecisionKind::NotCors => false,
        DecisionKind::Preflight => !c.passthrough,
        DecisionKind::Actual => c.refuse && !origin_accepted,
    };
    prop_assert_eq!(decision.short_circuits(), layer_answers);
    prop_assert_eq!(
        inner_calls,
        usize::from(!layer_answers),
        "inner service calls"
    );
    let status = if !layer_answers {
        StatusCode::OK
    } else if kind == DecisionKind::Preflight && origin_accepted {
        StatusCode::from_u16(c.preflight_status).unwrap()
    } else {
        StatusCode::from_u16(c.rejection_status).unwrap()
    };
    prop_assert_eq!(res.status(), status);
    prop_assert_eq!(
        res.body().as_str(),
        if layer_answers { "" } else { "inner" }
    );

    // --- Invariant: ACAO is absent, `*`, or the request's Origin byte for byte ----------------
    // (A response to a request without Origin is the inner service's own, checked below to be
    // left untouched.)
    let cors_request = kind != DecisionKind::NotCors;
    let acao = one(h, "access-control-allow-origin")?;
    if let Some(v) = acao.as_ref().filter(|_| cors_request) {
        prop_assert!(
            v == b"*" || (r.origins.len() == 1 && *v == r.origins[0]),
            "ACAO {:?} for origins {:?}",
            String::from_utf8_lossy(v),
            r.origins
        );
        prop_assert!(!v.contains(&b','), "ACAO is a list");
    }

    // --- Invariant: `*` never next to credentials -------------------------------------------
    let acac = one(h, "access-control-allow-credentials")?;
    if let Some(v) = acac.as_ref().filter(|_| cors_request) {
        prop_assert_eq!(v.as_slice(), b"true");
        prop_assert!(
            acao.as_deref().is_some_and(|o| o != b"*"),
            "ACAC without an exact ACAO"
        );
        for name in [ACAM, ACAH, ACEH] {
            prop_assert!(
                !items(h, name.as_str()).iter().any(|i| i == "*"),
                "`*` in {name} with credentials: {h:?}"
            );
        }
    }

    // --- Invariant: nothing but Vary for a disallowed or absent origin -----------------------
    let cors = cors_headers(h);
    if kind == DecisionKind::NotCors {
        let mut want: Vec<_> = if inner_cors {
            INNER_CORS
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                .collect()
        } else {
            Vec::new()
        };
        want.sort();
        prop_assert_eq!(&cors, &want, "the layer touched a non-CORS response");
    } else if !origin_accepted {
        prop_assert_eq!(&cors, &Vec::new(), "CORS headers for a rejected origin");
    }

    // --- The allowed answer, header by header -------------------------------------------------
    if origin_accepted {
        let want_acao = if c.any_origin() {
            b"*".to_vec()
        } else {
            r.origins[0].clone()
        };
        prop_assert_eq!(acao.as_deref(), Some(want_acao.as_slice()));
        prop_assert_eq!(acac.is_some(), c.credentials);
        let acam = one(h, "access-control-allow-methods")?;
        let acah = one(h, "access-control-allow-headers")?;
        let max_age = one(h, ACCESS_CONTROL_MAX_AGE.as_str())?;
        let pna = one(h, "access-control-allow-private-network")?;
        let aceh = one(h, "access-control-expose-headers")?;
        if kind == DecisionKind::Preflight {
            let rejection = decision.rejection().map(rejection_kind);
            let want_acam = match c.method_list() {
                Some(list) => (!list.is_empty()).then(|| list.join(", ").into_bytes()),
                None => {
                    (rejection.as_deref() != Some("MethodNotAllowed")).then(|| r.acrm[0].clone())
                }
            };
            prop_assert_eq!(acam, want_acam);
            let want_acah = match c.header_list() {
                Some(list) => (!list.is_empty()).then(|| list.join(", ").into_bytes()),
                None => match scan_acrh(c, &r.acrh) {
                    Scan::Names(names)
                        if !names.is_empty()
                            && rejection.as_deref() != Some("MethodNotAllowed") =>
                    {
                        let single_clean = r.acrh.len() == 1
                            && r.acrh[0]
                                .split(|&b| b == b',')
                                .all(|i| i.iter().any(|b| !b" \t".contains(b)));
                        Some(if single_clean {
                            r.acrh[0].clone()
                        } else {
                            names.join(&b","[..])
                        })
                    }
                    _ => None,
                },
            };
            prop_assert_eq!(acah.as_ref(), want_acah.as_ref());
            prop_assert_eq!(max_age, c.max_age.map(|s| s.to_string().into_bytes()));
            let want_pna = rejection.is_none() && r.pna == Some("true") && c.private_network;
            prop_assert_eq!(pna.as_deref(), want_pna.then_some(&b"true"[..]));
            prop_assert_eq!(aceh, None);
            // An allowed preflight covers what it asked for, as a browser checks it.
            if rejection.is_none() {
                let methods = items(h, ACAM.as_str());
                let m = String::from_utf8(r.acrm[0].clone()).unwrap();
                prop_assert!(["GET", "HEAD", "POST"].contains(&m.as_str()) || methods.contains(&m));
                if let Scan::Names(names) = scan_acrh(c, &r.acrh) {
                    let allowed = items(h, ACAH.as_str());
                    for n in names {
                        let n = String::from_utf8(n).unwrap();
                        prop_assert!(
                            allowed.iter().any(|a| a.eq_ignore_ascii_case(&n)),
                            "{n} not in ACAH"
                        );
                    }
                }
            }
        } else {
            prop_assert_eq!(acam, None);
            prop_assert_eq!(acah, None);
            prop_assert_eq!(max_age, None);
            prop_assert_eq!(pna, None);
            prop_assert_eq!(aceh, c.expose_value().map(String::into_bytes));
        }
        // Nothing unvalidated is echoed: every listed name is a token.
        for name in [ACAM, ACAH, ACEH] {
            for item in items(h, name.as_str()) {
                prop_assert!(is_token(item.as_bytes()), "{name} echoes {item:?}");
            }
        }
    }

    // --- Invariant: Vary names Origin (and the preflight headers), no duplicates --------------
    let vary = items(h, VARY.as_str());
    let mut seen = std::collections::HashSet::new();
    for v in &vary {
        prop_assert!(
            seen.insert(v.to_ascii_lowercase()),
            "Vary repeats {v}: {vary:?}"
        );
    }
    let inner_vary = if inner_calls > 0 { r.inner_vary } else { None };
    if inner_vary == Some("*") {
        prop_assert_eq!(&vary, &vec!["*".to_owned()]);
    } else {
        let mut want = vec!["origin"];
        if kind == DecisionKind::Preflight {
            want.extend([
                "access-control-request-method",
                "access-control-request-headers",
            ]);
            if c.private_network {
                want.push("access-control-request-private-network");
            }
        }
        for w in want {
            prop_assert!(seen.contains(w), "Vary lacks {w}: {vary:?}");
        }
    }
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    })
}

#[test]
fn random_policies_and_requests_keep_every_invariant() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let strategy = config().prop_flat_map(|c| {
        let req = request_for(&c);
        (Just(c), prop::collection::vec(req, 1..8))
    });
    // About 600 policies with 1 to 7 requests each: a few seconds in a debug build.
    runner(600)
        .run(&strategy, |(c, reqs)| {
            for r in &reqs {
                check(&rt, &c, r)?;
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// The browser model
// ---------------------------------------------------------------------------------------------

/// A request a page's script makes, for the browser model.
#[derive(Clone, Debug)]
struct Script {
    page_origin: String,
    method: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    credentials: bool,
}

fn script_for(c: &Config) -> impl Strategy<Value = Script> {
    let mut candidates: Vec<String> = c.rules.iter().map(OriginRule::example).collect();
    candidates.extend(OUTSIDERS.iter().map(|s| (*s).to_owned()));
    let origin =
        (any::<Index>(), prop_oneof![4 => Just(0u8), 1 => 6u8..22]).prop_map(move |(i, how)| {
            String::from_utf8_lossy(&mutate(i.get::<String>(&candidates), how, b"")).into_owned()
        });
    let header = select(
        &[
            ("X-Custom", "1"),
            ("Content-Type", "application/json"),
            ("Content-Type", "text/plain"),
            ("Authorization", "Bearer t"),
            ("X-Other", "y"),
            ("Accept", "application/json"),
        ][..],
    );
    let credentials = c.credentials;
    (
        origin,
        select(
            &[
                "PUT", "put", "DELETE", "PATCH", "patch", "PROPFIND", "POST", "GET", "*",
            ][..],
        ),
        prop::collection::vec(header, 0..4),
        any::<bool>(),
    )
        .prop_map(move |(page_origin, method, headers, include)| Script {
            page_origin,
            method,
            headers,
            // A preflight carries no credentials, so the policy cannot tell; a credentialed
            // request to a policy without credentials is blocked whatever the preflight says.
            credentials: credentials && include,
        })
}

/// Whenever the layer allows a preflight, the browser model (Fetch, spec mode) lets the
/// browser send the actual request and read its answer; whenever the layer rejects one, the
/// model blocks it at the preflight.
#[test]
fn the_browser_model_agrees_with_every_preflight_decision() {
    use tower_cors::check::{Browser, BrowserRequest, Credentials, Mode};

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let strategy = config().prop_flat_map(|c| {
        let scripts = prop::collection::vec(script_for(&c), 1..6);
        (Just(c), scripts)
    });
    let preflights = AtomicUsize::new(0);
    runner(400)
        .run(&strategy, |(c, scripts)| {
            let policy = c.builder(&Probe::default()).build().unwrap();
            for s in &scripts {
                let Ok(mut req) =
                    BrowserRequest::new(&s.page_origin, s.method, "http://api.test/resource")
                else {
                    continue; // fetch() itself would throw (a malformed page origin)
                };
                for (n, v) in &s.headers {
                    req = req.header(n, v).unwrap();
                }
                if s.credentials {
                    req = req.credentials(Credentials::Include);
                }
                if !req.needs_preflight() {
                    continue;
                }
                let browser = Browser::new(Mode::Spec);

                // What the policy decides about the preflight the browser sends.
                let mut options = Request::builder()
                    .method("OPTIONS")
                    .uri("/resource")
                    .body(String::new())
                    .unwrap();
                for (n, v) in browser.preflight_request_headers(&req) {
                    options.headers_mut().append(
                        http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                        HeaderValue::from_bytes(&v).unwrap(),
                    );
                }
                let decision = policy.evaluate(&options.into_parts().0);
                prop_assert_eq!(decision.kind(), DecisionKind::Preflight);

                // What the browser does with the layer's answers, preflight and actual request.
                let inner = service_fn(|_: Request<String>| async {
                    Ok::<_, Infallible>(Response::new(String::from("inner")))
                });
                let mut svc = CorsLayer::new(policy.clone()).layer(inner);
                let mut browser = browser;
                let verdict = rt.block_on(browser.fetch(&mut svc, &req));
                preflights.fetch_add(1, Ordering::Relaxed);
                if decision.is_allowed() {
                    prop_assert!(
                        verdict.allowed,
                        "the layer allowed the preflight but the browser blocked: {}\n{:?}",
                        verdict.explain(),
                        decision
                    );
                } else {
                    prop_assert!(
                        !verdict.allowed,
                        "the layer rejected ({:?}) but the browser sent it",
                        decision.rejection()
                    );
                    let blocked = verdict.blocked.as_ref().unwrap();
                    prop_assert!(
                        blocked.error.is_preflight(),
                        "blocked after the preflight: {}",
                        verdict.explain()
                    );
                }
            }
            Ok(())
        })
        .unwrap();
    // The property is not vacuous: most cases reach a preflight.
    let preflights = preflights.into_inner();
    assert!(preflights > 400, "only {preflights} preflights");
}
