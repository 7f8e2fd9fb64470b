//! Origins: normalising configured ones, checking the syntax of requested ones, and matching.
//!
//! A browser serialises the `Origin` header as `scheme://host[:port]`, lower-case, without the
//! default port and without a trailing `/`. Configured origins are normalised to that form once,
//! at build time, so a request origin can be compared byte for byte: exactly the comparison the
//! browser itself makes against `Access-Control-Allow-Origin`.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;
use http::HeaderValue;
use regex::bytes::RegexSet;

use super::allowlist::OriginAllowlist;
use crate::error::ConfigError;

/// The longest request origin the matcher looks at; longer ones are rejected unread.
/// (A host name is at most 253 bytes; scheme and port add a few dozen.)
pub(crate) const MAX_ORIGIN_LEN: usize = 512;

/// A user predicate deciding whether an origin is allowed.
pub(crate) type OriginPredicate = Arc<dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync>;

/// An origin as the browser writes it, split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OriginParts<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) host: &'a str,
    /// The explicit port, if any (never the scheme's default in a browser-serialised origin).
    pub(crate) port: Option<u16>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'+' | b'-' | b'.'))
}

fn is_host_byte(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.')
}

fn is_ipv6_literal(host: &str) -> bool {
    host.len() > 2
        && host.starts_with('[')
        && host.ends_with(']')
        && host[1..host.len() - 1]
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b':' | b'.'))
}

fn is_host(host: &str) -> bool {
    is_ipv6_literal(host) || is_dns_host(host.as_bytes())
}

/// Non-empty host bytes, no leading `.`, no `..`: checked in one pass, since every request
/// origin that no exact entry matches goes through here.
fn is_dns_host(host: &[u8]) -> bool {
    // Starting as if after a `.` refuses a leading `.` with the same test that refuses `..`.
    let mut previous = b'.';
    !host.is_empty()
        && host.iter().all(|&b| {
            let ok = is_host_byte(b) && !(b == b'.' && previous == b'.');
            previous = b;
            ok
        })
}

/// Parses a port as a browser writes it: 1 to 5 digits, no sign, no leading zero, 1..=65535.
fn parse_port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok()
}

/// Splits `host[:port]`, honouring IPv6 brackets. The port part is returned unparsed.
///
/// Origins are a few dozen bytes: plain byte loops beat `str::find`'s searchers, whose set-up
/// costs more than the search (this runs for every origin no exact entry matched).
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    let bytes = authority.as_bytes();
    let port_colon = if authority.starts_with('[') {
        bytes.iter().position(|&b| b == b']').and_then(|end| {
            bytes[end + 1..]
                .iter()
                .position(|&b| b == b':')
                .map(|i| end + 1 + i)
        })
    } else {
        bytes.iter().rposition(|&b| b == b':')
    };
    match port_colon {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    }
}

/// Parses a request origin strictly as a browser serialises it; `None` for anything else,
/// including `null`, upper case, a default port, a path or a trailing `/`.
pub(crate) fn parse_serialized(origin: &[u8]) -> Option<OriginParts<'_>> {
    if origin.len() > MAX_ORIGIN_LEN {
        return None;
    }
    let origin = std::str::from_utf8(origin).ok()?;
    // The scheme ends at the first `:`, which must start `://`. (Any later `://` would leave a
    // `:` in the scheme, which is then no scheme: the answer is the same as splitting at the
    // first `://`, without a substring search.)
    let colon = origin.bytes().position(|b| b == b':')?;
    let (scheme, authority) = (&origin[..colon], origin[colon..].strip_prefix("://")?);
    if !is_scheme(scheme) {
        return None;
    }
    let (host, port) = split_host_port(authority);
    if !is_host(host) {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => {
            let p = parse_port(p)?;
            if default_port(scheme) == Some(p) {
                return None;
            }
            Some(p)
        }
    };
    Some(OriginParts { scheme, host, port })
}

fn invalid(input: &str, reason: &str, suggestion: Option<String>) -> ConfigError {
    ConfigError::InvalidOrigin {
        input: input.to_owned(),
        reason: reason.to_owned(),
        suggestion,
    }
}

/// A configured origin, split and normalised, before it is turned into its serialised form.
struct Normalized {
    scheme: String,
    host: String,
    port: Option<String>,
}

impl Normalized {
    fn serialize(&self) -> String {
        match &self.port {
            Some(p) => format!("{}://{}:{}", self.scheme, self.host, p),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Splits and normalises `input` (scheme and host lower-cased, trailing `/` dropped), rejecting a
/// path, query, fragment or userinfo. The port is checked by the caller, since patterns allow `*`.
fn normalize(input: &str) -> Result<Normalized, ConfigError> {
    let trimmed = input.trim();
    if trimmed != input || trimmed.is_empty() {
        return Err(invalid(
            input,
            "it has leading or trailing white space, or is empty",
            (!trimmed.is_empty()).then(|| trimmed.to_owned()),
        ));
    }
    let Some((scheme, rest)) = input.split_once("://") else {
        let hint = (!input.contains(':')).then(|| format!("https://{input}"));
        return Err(invalid(input, "it has no scheme (`https://`)", hint));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !is_scheme(&scheme) {
        return Err(invalid(input, "its scheme is not a URL scheme", None));
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        let clean = authority.rsplit('@').next().unwrap_or_default();
        return Err(invalid(
            input,
            "an origin has no user name or password",
            Some(format!("{scheme}://{}", clean.to_ascii_lowercase())),
        ));
    }
    let suggestion = || Some(format!("{scheme}://{}", authority.to_ascii_lowercase()));
    match tail.as_bytes().first() {
        Some(b'/') => return Err(invalid(input, "an origin has no path", suggestion())),
        Some(b'?') => return Err(invalid(input, "an origin has no query", suggestion())),
        Some(b'#') => return Err(invalid(input, "an origin has no fragment", suggestion())),
        _ => {}
    }
    let (host, port) = split_host_port(authority);
    if !host.is_ascii() {
        return Err(invalid(
            input,
            "browsers send international domain names in punycode (`xn--...`)",
            None,
        ));
    }
    Ok(Normalized {
        scheme,
        host: host.to_ascii_lowercase(),
        port: port.map(str::to_owned),
    })
}

/// Normalises a configured exact origin to the form browsers send.
///
/// `HTTPS://App.Example.com:443/` becomes `https://app.example.com`.
pub(crate) fn normalize_origin(input: &str) -> Result<String, ConfigError> {
    if input == "null" {
        return Ok(input.to_owned());
    }
    let mut n = normalize(input)?;
    if !is_host(&n.host) {
        return Err(invalid(
            input,
            "its host is not a host name or IP address",
            None,
        ));
    }
    if let Some(p) = n.port.take() {
        let Some(port) = parse_port(&p) else {
            return Err(invalid(
                input,
                "its port is not a number from 1 to 65535 (without leading zeros)",
                None,
            ));
        };
        if default_port(&n.scheme) != Some(port) {
            n.port = Some(p);
        }
    }
    Ok(n.serialize())
}

/// The port part of a `*.` pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PortRule {
    /// No port written: the scheme's default port only.
    Default,
    /// `:*`: any port, the default included.
    Any,
    /// `:8443`: this port only.
    Exact(u16),
}

impl PortRule {
    fn admits(self, port: Option<u16>) -> bool {
        match self {
            PortRule::Default => port.is_none(),
            PortRule::Any => true,
            PortRule::Exact(p) => port == Some(p),
        }
    }
}

/// A parsed pattern: `scheme://*.domain[:port|:*]` (subdomains) or `scheme://host:*` (one host,
/// any port).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OriginPattern {
    scheme: String,
    /// The part after `*.`, or the whole host of a `host:*` pattern.
    host: String,
    /// Whether the pattern is `*.host`: one or more labels before `host`, never `host` itself.
    subdomains: bool,
    port: PortRule,
}

const STAR_PLACEMENT: &str = "`*` may only stand for leading labels (`*.`) or the port (`:*`)";

impl OriginPattern {
    /// The scheme, lower case.
    pub(crate) fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The part after `*.`, or the whole host of a `host:*` pattern.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Whether the pattern covers the subdomains of `host` (`*.host`) rather than `host` itself.
    pub(crate) fn subdomains(&self) -> bool {
        self.subdomains
    }

    /// Whether `input` is written as a pattern rather than an origin.
    pub(crate) fn looks_like_pattern(input: &str) -> bool {
        input != "*" && input.contains('*')
    }

    pub(crate) fn parse(input: &str) -> Result<Self, ConfigError> {
        let bad = |reason: &str| ConfigError::InvalidPattern {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let n = normalize(input).map_err(|e| match e {
            ConfigError::InvalidOrigin { reason, .. } => bad(&reason),
            other => other,
        })?;
        let (host, subdomains) = match n.host.strip_prefix("*.") {
            Some(suffix) => (suffix, true),
            None => (n.host.as_str(), false),
        };
        if host.contains('*') {
            return Err(bad(STAR_PLACEMENT));
        }
        if subdomains && (!is_host(host) || is_ipv6_literal(host)) {
            return Err(bad("the part after `*.` is not a domain name"));
        }
        if !subdomains && !is_host(host) {
            return Err(bad("its host is not a host name or IP address"));
        }
        let port = match n.port.as_deref() {
            None => PortRule::Default,
            Some("*") => PortRule::Any,
            Some(p) => match parse_port(p) {
                Some(p) if default_port(&n.scheme) == Some(p) => PortRule::Default,
                Some(p) => PortRule::Exact(p),
                None => return Err(bad("its port is not a number from 1 to 65535 or `*`")),
            },
        };
        if !subdomains && port != PortRule::Any {
            return Err(bad(STAR_PLACEMENT));
        }
        Ok(OriginPattern {
            scheme: n.scheme,
            host: host.to_owned(),
            subdomains,
            port,
        })
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let star = if self.subdomains { "*." } else { "" };
        write!(f, "{}://{star}{}", self.scheme, self.host)?;
        match self.port {
            PortRule::Default => Ok(()),
            PortRule::Any => f.write_str(":*"),
            PortRule::Exact(p) => write!(f, ":{p}"),
        }
    }
}

/// A fast, non-keyed hasher for the origin sets.
///
/// The sets are built from configuration and never grow from requests, so an attacker choosing
/// the looked-up string cannot make buckets longer than configuration made them: a keyed hash
/// (SipHash) would buy nothing here and cost a third of a lookup.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = BuildHasherDefault<FxHasher>;

/// The scheme and port rule of one pattern, filed under its host or suffix.
type SchemePort = (Box<str>, PortRule);

type PatternMap = HashMap<Box<str>, Vec<SchemePort>, FxBuild>;

/// Patterns indexed by host, so a lookup costs one probe per label of the request host,
/// whatever the number of patterns.
#[derive(Clone, Debug, Default)]
pub(crate) struct PatternIndex {
    /// `*.suffix` patterns, by suffix.
    by_suffix: PatternMap,
    /// `host:*` patterns, by host.
    by_host: PatternMap,
}

fn admitted(rules: Option<&Vec<SchemePort>>, origin: &OriginParts<'_>) -> bool {
    rules.is_some_and(|rules| {
        rules
            .iter()
            .any(|(scheme, port)| **scheme == *origin.scheme && port.admits(origin.port))
    })
}

impl PatternIndex {
    pub(crate) fn insert(&mut self, p: OriginPattern) {
        let map = if p.subdomains {
            &mut self.by_suffix
        } else {
            &mut self.by_host
        };
        map.entry(p.host.into_boxed_str())
            .or_default()
            .push((p.scheme.into_boxed_str(), p.port));
    }

    fn is_empty(&self) -> bool {
        self.by_suffix.is_empty() && self.by_host.is_empty()
    }

    fn len(&self) -> usize {
        self.by_suffix
            .values()
            .chain(self.by_host.values())
            .map(Vec::len)
            .sum()
    }

    pub(crate) fn matches(&self, origin: &OriginParts<'_>) -> bool {
        let host = origin.host;
        if admitted(self.by_host.get(host), origin) {
            return true;
        }
        if is_ipv6_literal(host) {
            return false;
        }
        // Each `.` splits the host into a non-empty subdomain part and a candidate suffix; the
        // subdomain part is made of valid labels because `parse_serialized` checked the host.
        host.bytes().enumerate().any(|(i, b)| {
            b == b'.' && i > 0 && admitted(self.by_suffix.get(&host[i + 1..]), origin)
        })
    }
}

/// A request origin, parsed only once a rule needs its parts. Most requests are decided by an
/// exact entry, which compares bytes: parsing first cost more than the whole lookup.
pub(crate) struct RequestOrigin<'a> {
    bytes: &'a [u8],
    parsed: OnceCell<Option<OriginParts<'a>>>,
}

impl<'a> RequestOrigin<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        RequestOrigin {
            bytes,
            parsed: OnceCell::new(),
        }
    }

    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The origin's parts if it is a well-formed browser serialisation, parsed on first use.
    pub(crate) fn parts(&self) -> Option<&OriginParts<'a>> {
        self.parsed
            .get_or_init(|| parse_serialized(self.bytes))
            .as_ref()
    }
}

/// Exact origins, `null` and patterns: what a list of origin strings can say.
#[derive(Clone, Debug, Default)]
pub(crate) struct OriginSet {
    null: bool,
    exact: HashSet<Box<[u8]>, FxBuild>,
    patterns: PatternIndex,
}

impl OriginSet {
    /// Adds one entry: an origin (normalised), a pattern, or `null`. `*` is the caller's to
    /// handle, since what it means depends on where it is written.
    pub(crate) fn add(&mut self, entry: &str) -> Result<(), ConfigError> {
        if OriginPattern::looks_like_pattern(entry) {
            self.patterns.insert(OriginPattern::parse(entry)?);
            return Ok(());
        }
        let normalized = normalize_origin(entry)?;
        if normalized == "null" {
            self.null = true;
        } else {
            self.exact
                .insert(normalized.into_bytes().into_boxed_slice());
        }
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        !self.null && self.exact.is_empty() && self.patterns.is_empty()
    }

    /// Whether `null` is listed.
    pub(crate) fn allows_null(&self) -> bool {
        self.null
    }

    /// The exact origins, normalised (`null` not included).
    pub(crate) fn exact_origins(&self) -> impl Iterator<Item = &[u8]> {
        self.exact.iter().map(|o| &**o)
    }

    /// The patterns: scheme, host (the suffix after `*.`, or the host of `host:*`), whether it
    /// is a `*.` pattern, and the pattern as written back.
    pub(crate) fn patterns(&self) -> Vec<OriginPattern> {
        let with = |map: &PatternMap, subdomains: bool| -> Vec<OriginPattern> {
            map.iter()
                .flat_map(|(host, rules)| {
                    rules.iter().map(move |(scheme, port)| OriginPattern {
                        scheme: scheme.to_string(),
                        host: host.to_string(),
                        subdomains,
                        port: *port,
                    })
                })
                .collect()
        };
        let mut all = with(&self.patterns.by_suffix, true);
        all.extend(with(&self.patterns.by_host, false));
        all
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.null) + self.exact.len() + self.patterns.len()
    }

    /// `parsed` is the origin's browser-serialisation parse, `None` if it is not one.
    pub(crate) fn matches(&self, origin: &RequestOrigin<'_>) -> bool {
        let bytes = origin.bytes();
        if bytes == b"null" {
            return self.null;
        }
        self.exact.contains(bytes)
            || !self.patterns.is_empty() && origin.parts().is_some_and(|o| self.patterns.matches(o))
    }
}

/// A user predicate that looks an origin up asynchronously.
pub(crate) type AsyncOriginPredicate = Arc<
    dyn Fn(&HeaderValue, &Parts) -> Pin<Box<dyn Future<Output = bool> + Send + 'static>>
        + Send
        + Sync,
>;

/// What the synchronous rules say about an origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OriginVerdict {
    Allowed,
    Denied,
    /// No synchronous rule allowed it, and asynchronous predicates must decide.
    Ask,
}

/// How origins are allowed.
#[derive(Clone, Default)]
pub(crate) struct OriginMatcher {
    /// Any origin, answered with `*`.
    pub(crate) any: bool,
    /// Any well-formed origin, reflected (the dangerous mode).
    pub(crate) reflect_any: bool,
    pub(crate) fixed: OriginSet,
    lists: Vec<OriginAllowlist>,
    regexes: Option<RegexSet>,
    /// The regexes as the user wrote them, in the set's order (for the lint's messages).
    regex_sources: Vec<String>,
    predicates: Vec<OriginPredicate>,
    async_predicates: Vec<AsyncOriginPredicate>,
}

impl fmt::Debug for OriginMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginMatcher")
            .field("any", &self.any)
            .field("reflect_any", &self.reflect_any)
            .field("fixed", &self.fixed.len())
            .field("lists", &self.lists)
            .field("regexes", &self.regexes.as_ref().map_or(0, RegexSet::len))
            .field("predicates", &self.predicates.len())
            .field("async_predicates", &self.async_predicates.len())
            .finish()
    }
}

impl OriginMatcher {
    pub(crate) fn add_list(&mut self, list: OriginAllowlist) {
        self.lists.push(list);
    }

    pub(crate) fn set_regexes(&mut self, set: RegexSet, sources: Vec<String>) {
        self.regexes = (!set.is_empty()).then_some(set);
        self.regex_sources = sources;
    }

    /// Calls `f` with every set of listed origins: the fixed one, then each replaceable
    /// list as it is now.
    pub(crate) fn for_each_set(&self, mut f: impl FnMut(&OriginSet)) {
        f(&self.fixed);
        for list in &self.lists {
            f(&list.current.load_full());
        }
    }

    /// For each regex that fully matches `origin`, the regex as written.
    pub(crate) fn regexes_matching(&self, origin: &[u8]) -> Vec<&str> {
        self.regexes.as_ref().map_or_else(Vec::new, |set| {
            set.matches(origin)
                .iter()
                .map(|i| self.regex_sources[i].as_str())
                .collect()
        })
    }

    pub(crate) fn add_predicate(&mut self, p: OriginPredicate) {
        self.predicates.push(p);
    }

    pub(crate) fn add_async_predicate(&mut self, p: AsyncOriginPredicate) {
        self.async_predicates.push(p);
    }

    pub(crate) fn has_async_predicates(&self) -> bool {
        !self.async_predicates.is_empty()
    }

    /// Whether no rule at all was configured. A replaceable list counts even while empty: it
    /// is meant to be filled at run time.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any
            && !self.reflect_any
            && self.fixed.is_empty()
            && self.lists.is_empty()
            && self.regexes.is_none()
            && self.predicates.is_empty()
            && self.async_predicates.is_empty()
    }

    /// Whether the answer to a request with this `Origin` can be `*` for everyone.
    pub(crate) fn is_wildcard(&self) -> bool {
        self.any
    }

    /// Decides whether `origin` is allowed, cheapest rules first. `*` allows everything, since
    /// it echoes nothing. Exact entries (and `null`) are compared byte for byte with what
    /// configuration normalised; every other rule sees only origins that are well-formed browser
    /// serialisations, so nothing malformed is ever reflected.
    pub(crate) fn verdict(&self, origin: &HeaderValue, parts: &Parts) -> OriginVerdict {
        if self.any {
            return OriginVerdict::Allowed;
        }
        let bytes = origin.as_bytes();
        let request = RequestOrigin::new(bytes);
        let other_rules = self.reflect_any || self.regexes.is_some() || !self.predicates.is_empty();
        let allowed = self.fixed.matches(&request)
            || self
                .lists
                .iter()
                .any(|l| l.current.load().matches(&request))
            || other_rules
                && request.parts().is_some()
                && (self.reflect_any
                    || self.regexes.as_ref().is_some_and(|set| set.is_match(bytes))
                    || self.predicates.iter().any(|p| p(origin, parts)));
        match (
            allowed,
            self.has_async_predicates() && request.parts().is_some(),
        ) {
            (true, _) => OriginVerdict::Allowed,
            (false, true) => OriginVerdict::Ask,
            (false, false) => OriginVerdict::Denied,
        }
    }

    /// Runs the asynchronous predicates one after the other until one allows the origin.
    pub(crate) fn ask(
        &self,
        origin: &HeaderValue,
        parts: &Parts,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'static>> {
        let pending: Vec<_> = self
            .async_predicates
            .iter()
            .map(|p| p(origin, parts))
            .collect();
        Box::pin(async move {
            for check in pending {
                if check.await {
                    return true;
                }
            }
            false
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_configured_origins_to_the_browser_form() {
        for (input, want) in [
            ("https://app.example.com", "https://app.example.com"),
            ("HTTPS://App.Example.COM", "https://app.example.com"),
            ("https://app.example.com/", "https://app.example.com"),
            ("https://app.example.com:443", "https://app.example.com"),
            ("http://localhost:80/", "http://localhost"),
            ("http://localhost:3000", "http://localhost:3000"),
            (
                "https://app.example.com:8443",
                "https://app.example.com:8443",
            ),
            ("http://[::1]:3000", "http://[::1]:3000"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("null", "null"),
            ("chrome-extension://abcdef", "chrome-extension://abcdef"),
        ] {
            assert_eq!(normalize_origin(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_origin_naming_it() {
        for (input, message) in [
            (
                "http://localhost:3000/api",
                "`http://localhost:3000/api` is not an origin: an origin has no path; did you mean `http://localhost:3000`?",
            ),
            (
                "https://app.example.com?x=1",
                "`https://app.example.com?x=1` is not an origin: an origin has no query; did you mean `https://app.example.com`?",
            ),
            (
                "https://app.example.com#top",
                "`https://app.example.com#top` is not an origin: an origin has no fragment; did you mean `https://app.example.com`?",
            ),
            (
                "https://user:pw@app.example.com",
                "`https://user:pw@app.example.com` is not an origin: an origin has no user name or password; did you mean `https://app.example.com`?",
            ),
            (
                "app.example.com",
                "`app.example.com` is not an origin: it has no scheme (`https://`); did you mean `https://app.example.com`?",
            ),
            (
                "1http://x",
                "`1http://x` is not an origin: its scheme is not a URL scheme",
            ),
            (
                "http://localhost:0",
                "`http://localhost:0` is not an origin: its port is not a number from 1 to 65535 (without leading zeros)",
            ),
            (
                "http://localhost:65536",
                "`http://localhost:65536` is not an origin: its port is not a number from 1 to 65535 (without leading zeros)",
            ),
            (
                "https://bücher.example",
                "`https://bücher.example` is not an origin: browsers send international domain names in punycode (`xn--...`)",
            ),
            (
                " https://a.example",
                "` https://a.example` is not an origin: it has leading or trailing white space, or is empty; did you mean `https://a.example`?",
            ),
            (
                "https://a b.example",
                "`https://a b.example` is not an origin: its host is not a host name or IP address",
            ),
        ] {
            let err = normalize_origin(input).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn parses_only_browser_serialisations() {
        assert_eq!(
            parse_serialized(b"https://a.example.com:8443"),
            Some(OriginParts {
                scheme: "https",
                host: "a.example.com",
                port: Some(8443)
            })
        );
        for bad in [
            &b"null"[..],
            b"https://A.example.com",
            b"https://a.example.com:443",
            b"http://a.example.com:80",
            b"https://a.example.com/",
            b"https://a.example.com:0",
            b"https://a.example.com:65536",
            b"https://a.example.com:08443",
            b"https://user@a.example.com",
            b"https://a..example.com",
            b"https://",
            b"https//a.example.com",
            b"file://",
            b"https://a.example.com\xff",
        ] {
            assert_eq!(
                parse_serialized(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(parse_serialized(b"http://[::1]:3000").is_some());
        assert!(parse_serialized(&[b'a'; MAX_ORIGIN_LEN + 1]).is_none());
    }

    fn pattern_matches(pattern: &str, origin: &str) -> bool {
        let mut index = PatternIndex::default();
        index.insert(OriginPattern::parse(pattern).unwrap());
        parse_serialized(origin.as_bytes()).is_some_and(|o| index.matches(&o))
    }

    #[test]
    fn patterns_keep_the_label_boundary_and_exclude_the_apex() {
        let p = "https://*.example.com";
        assert!(pattern_matches(p, "https://app.example.com"));
        assert!(pattern_matches(p, "https://a.b.example.com"));
        assert!(!pattern_matches(p, "https://example.com"));
        assert!(!pattern_matches(p, "https://evilexample.com"));
        assert!(!pattern_matches(p, "https://app.example.com.evil.net"));
        assert!(!pattern_matches(p, "http://app.example.com"));
        assert!(!pattern_matches(p, "https://app.example.com:8443"));
        assert!(!pattern_matches(p, "https://[::1]"));
    }

    #[test]
    fn host_any_port_patterns_match_that_host_only() {
        let p = "http://localhost:*";
        assert!(pattern_matches(p, "http://localhost"));
        assert!(pattern_matches(p, "http://localhost:3000"));
        assert!(!pattern_matches(p, "http://app.localhost:3000"));
        assert!(!pattern_matches(p, "https://localhost:3000"));
        assert!(!pattern_matches(p, "http://localhost.evil.net:3000"));
        assert!(pattern_matches("http://[::1]:*", "http://[::1]:8080"));
        assert!(pattern_matches(
            "http://127.0.0.1:*",
            "http://127.0.0.1:5173"
        ));
    }

    #[test]
    fn pattern_ports_are_exact_default_or_any() {
        assert!(pattern_matches(
            "https://*.example.com:8443",
            "https://a.example.com:8443"
        ));
        assert!(!pattern_matches(
            "https://*.example.com:8443",
            "https://a.example.com"
        ));
        assert!(pattern_matches(
            "https://*.example.com:443",
            "https://a.example.com"
        ));
        assert!(pattern_matches(
            "http://*.localhost:*",
            "http://a.localhost:3000"
        ));
        assert!(pattern_matches(
            "http://*.localhost:*",
            "http://a.localhost"
        ));
    }

    #[test]
    fn rejects_malformed_patterns_naming_them() {
        for (input, reason) in [
            ("https://app.*.example.com", STAR_PLACEMENT),
            ("https://*.*.example.com", STAR_PLACEMENT),
            ("https://*example.com", STAR_PLACEMENT),
            ("https://*.", "the part after `*.` is not a domain name"),
            ("https://*.example.com/api", "an origin has no path"),
            (
                "https://example.com:8*",
                "its port is not a number from 1 to 65535 or `*`",
            ),
            ("https://example.com", STAR_PLACEMENT),
            (
                "https://*.example.com:99999",
                "its port is not a number from 1 to 65535 or `*`",
            ),
        ] {
            let err = OriginPattern::parse(input).unwrap_err();
            assert_eq!(
                err,
                ConfigError::InvalidPattern {
                    input: input.into(),
                    reason: reason.into()
                }
            );
            assert!(err
                .to_string()
                .starts_with(&format!("`{input}` is not an origin pattern: {reason}; ")));
        }
    }

    #[test]
    fn pattern_display_round_trips() {
        for p in [
            "https://*.example.com",
            "http://*.localhost:*",
            "https://*.example.com:8443",
        ] {
            assert_eq!(OriginPattern::parse(p).unwrap().to_string(), p);
        }
    }
}
