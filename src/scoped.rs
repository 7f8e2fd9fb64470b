//! Path-scoped policies: several policies in one layer, chosen by the request path, like
//! flask-cors `resources={r"/api/*": ...}`, Django's `CORS_URLS_REGEX` or a per-route
//! `@cross_origin`.
//!
//! Paths are compared segment by segment after percent-decoding each segment, so `/api/*`
//! covers `/api` and `/api/items` but never `/apiary`, and `/%61pi/items` is `/api/items`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use regex::Regex;

use crate::error::ConfigError;
use crate::policy::CorsPolicy;

/// Where the layer's policy comes from.
#[derive(Clone, Debug)]
pub(crate) enum PolicySource {
    One(CorsPolicy),
    Scoped(ScopedPolicies),
}

impl PolicySource {
    pub(crate) fn select(&self, parts: &Parts) -> Option<&CorsPolicy> {
        match self {
            PolicySource::One(p) => Some(p),
            PolicySource::Scoped(s) => s.select(parts.uri.path()),
        }
    }
}

/// A path rule: exact, prefix, or regex.
#[derive(Clone, Debug)]
enum Scope {
    Exact(Vec<String>),
    Prefix(Vec<String>),
    Regex(Regex),
}

/// Several policies chosen by request path. Build with [`ScopedPolicies::builder`].
///
/// **Precedence** (the first that applies wins): exact paths; then prefixes, the one with the
/// most segments first; then regexes, in the order they were added; then the fallback. A
/// request no rule covers passes through the layer untouched, with no CORS header at all.
///
/// ```
/// use tower_cors::{CorsLayer, CorsPolicy, ScopedPolicies};
///
/// let api = CorsPolicy::builder()
///     .allow_origins(["http://localhost:3000", "https://myapp.com"])
///     .allow_credentials(true)
///     .build()?;
/// let specific = CorsPolicy::builder()
///     .allow_origins(["http://localhost:3000"])
///     .build()?;
/// let scoped = ScopedPolicies::builder()
///     .path("/api/*", api)
///     .path("/api/specific", specific)
///     .build()?;
/// let layer = CorsLayer::scoped(scoped);
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ScopedPolicies {
    inner: Arc<ScopedInner>,
}

struct ScopedInner {
    /// Sorted by precedence.
    scopes: Vec<(Scope, CorsPolicy)>,
    fallback: Option<CorsPolicy>,
}

impl fmt::Debug for ScopedPolicies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedPolicies")
            .field(
                "scopes",
                &self.inner.scopes.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            )
            .field("fallback", &self.inner.fallback.is_some())
            .finish()
    }
}

/// Builds [`ScopedPolicies`]; paths are checked in [`build`](Self::build).
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ScopedPoliciesBuilder {
    paths: Vec<(String, CorsPolicy)>,
    regexes: Vec<(String, CorsPolicy)>,
    fallback: Option<CorsPolicy>,
}

impl ScopedPolicies {
    /// Starts an empty set of scopes.
    pub fn builder() -> ScopedPoliciesBuilder {
        ScopedPoliciesBuilder::default()
    }

    /// The policy for a request path, if any rule covers it.
    ///
    /// ```
    /// # use tower_cors::{CorsPolicy, ScopedPolicies};
    /// # let policy = CorsPolicy::builder().allow_any_origin().build()?;
    /// let scoped = ScopedPolicies::builder().path("/api/*", policy).build()?;
    /// assert!(scoped.select("/api/items").is_some());
    /// assert!(scoped.select("/api").is_some());
    /// assert!(scoped.select("/apiary").is_none());
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn select(&self, path: &str) -> Option<&CorsPolicy> {
        let decoded = percent_decode(path);
        self.inner
            .scopes
            .iter()
            .find(|(scope, _)| match scope {
                Scope::Exact(want) => segments_match(path, want, true),
                Scope::Prefix(want) => segments_match(path, want, false),
                Scope::Regex(re) => re.is_match(&decoded),
            })
            .map(|(_, p)| p)
            .or(self.inner.fallback.as_ref())
    }
}

impl ScopedPoliciesBuilder {
    /// Applies `policy` to `path`: an exact path (`/api/items`) or, ending in `/*`, a prefix
    /// of whole segments (`/api/*` covers `/api` and everything under it). Written decoded.
    pub fn path(mut self, path: impl Into<String>, policy: CorsPolicy) -> Self {
        self.paths.push((path.into(), policy));
        self
    }

    /// Applies `policy` to paths a regex matches as a whole (anchored at both ends), tried on the
    /// percent-decoded path. Django's `CORS_URLS_REGEX = r'^/api/.*$'` carries over as is.
    pub fn path_regex(mut self, regex: impl Into<String>, policy: CorsPolicy) -> Self {
        self.regexes.push((regex.into(), policy));
        self
    }

    /// Applies `policy` to every path no other rule covers.
    pub fn fallback(mut self, policy: CorsPolicy) -> Self {
        self.fallback = Some(policy);
        self
    }

    /// Checks the paths and orders the rules by precedence.
    pub fn build(self) -> Result<ScopedPolicies, ConfigError> {
        let mut exact = Vec::new();
        let mut prefixes = Vec::new();
        for (path, policy) in self.paths {
            match parse_path(&path)? {
                Scope::Prefix(s) => prefixes.push((Scope::Prefix(s), policy)),
                scope => exact.push((scope, policy)),
            }
        }
        // Stable: equally long prefixes keep the order they were added in.
        prefixes.sort_by_key(|(scope, _)| match scope {
            Scope::Prefix(s) => std::cmp::Reverse(s.len()),
            _ => std::cmp::Reverse(0),
        });
        let mut scopes = exact;
        scopes.extend(prefixes);
        for (regex, policy) in self.regexes {
            // The regex must compile on its own, or `/a)|(?:/b` would be anchored by halves.
            let re = Regex::new(&regex)
                .and_then(|_| Regex::new(&format!("^(?:{regex})$")))
                .map_err(|e| ConfigError::InvalidPath {
                    input: regex.clone(),
                    reason: format!("the regex does not compile: {e}"),
                })?;
            scopes.push((Scope::Regex(re), policy));
        }
        Ok(ScopedPolicies {
            inner: Arc::new(ScopedInner {
                scopes,
                fallback: self.fallback,
            }),
        })
    }
}

fn parse_path(path: &str) -> Result<Scope, ConfigError> {
    let bad = |reason: &str| ConfigError::InvalidPath {
        input: path.to_owned(),
        reason: reason.to_owned(),
    };
    let Some(rest) = path.strip_prefix('/') else {
        return Err(bad("it does not start with `/`"));
    };
    let (rest, prefix) = match rest.strip_suffix('*') {
        Some(r) if r.is_empty() || r.ends_with('/') => (r.strip_suffix('/').unwrap_or(r), true),
        _ => (rest, false),
    };
    if rest.contains('*') {
        return Err(bad("`*` may only end a prefix, as `/*`"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("it has a query or fragment"));
    }
    let segments: Vec<String> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').map(str::to_owned).collect()
    };
    Ok(if prefix {
        Scope::Prefix(segments)
    } else {
        Scope::Exact(segments)
    })
}

/// Whether the request path's segments, each percent-decoded, are `want` (exactly, or as a
/// prefix of whole segments).
fn segments_match(path: &str, want: &[String], exact: bool) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if rest.is_empty() {
        return want.is_empty();
    }
    let mut got = rest.split('/');
    for w in want {
        match got.next() {
            Some(g) if decoded_eq(g, w) => {}
            _ => return false,
        }
    }
    !exact || got.next().is_none()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is. `+` stays `+`.
fn decoded_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                i += 3;
                return Some(h << 4 | l);
            }
        }
        i += 1;
        Some(b)
    })
}

fn decoded_eq(segment: &str, want: &str) -> bool {
    decoded_bytes(segment).eq(want.bytes())
}

fn percent_decode(path: &str) -> Cow<'_, str> {
    if !path.contains('%') {
        return Cow::Borrowed(path);
    }
    let bytes: Vec<u8> = decoded_bytes(path).collect();
    match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CorsPolicy {
        CorsPolicy::builder().allow_any_origin().build().unwrap()
    }

    #[test]
    fn prefixes_match_whole_decoded_segments() {
        let want = ["api".to_owned()];
        for (path, matches) in [
            ("/api", true),
            ("/api/", true),
            ("/api/items/1", true),
            ("/%61pi/items", true),
            ("/apiary", false),
            ("/ap", false),
            ("/", false),
            ("/v1/api", false),
            ("/api%2Fitems", false),
        ] {
            assert_eq!(segments_match(path, &want, false), matches, "{path}");
        }
        assert!(segments_match("/", &[], true));
        assert!(segments_match("/anything", &[], false));
    }

    #[test]
    fn precedence_is_exact_then_longest_prefix_then_regex_then_fallback() {
        let a = policy();
        let b = policy();
        let c = policy();
        let d = policy();
        let e = policy();
        let scoped = ScopedPolicies::builder()
            .path_regex(r"/api/v\d+/.*", d.clone())
            .path("/api/*", a.clone())
            .path("/api/v1/*", b.clone())
            .path("/api/v1/special", c.clone())
            .fallback(e.clone())
            .build()
            .unwrap();
        let pick = |path| {
            let got = scoped.select(path).unwrap();
            [&a, &b, &c, &d, &e].iter().position(|p| p.ptr_eq(got))
        };
        assert_eq!(pick("/api/v1/special"), Some(2));
        assert_eq!(pick("/api/v1/other"), Some(1));
        assert_eq!(pick("/api/v2/x"), Some(0));
        assert_eq!(pick("/v2/x"), Some(4));
    }

    #[test]
    fn regex_scopes_are_full_matches_on_the_decoded_path() {
        let scoped = ScopedPolicies::builder()
            .path_regex(r"^/api/.*$", policy())
            .path_regex(r"/exact", policy())
            .build()
            .unwrap();
        assert!(scoped.select("/api/x").is_some());
        assert!(scoped.select("/%61pi/x").is_some());
        assert!(scoped.select("/exact").is_some());
        assert!(scoped.select("/exact/more").is_none());
        assert!(scoped.select("/apiary").is_none());
        // Regression: a regex closing the anchoring group is refused, not half-anchored
        // (`^(?:/admin)|(?:/x)$` would have covered `/admin/anything`).
        let err = ScopedPolicies::builder()
            .path_regex(r"/admin)|(?:/x", policy())
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, ConfigError::InvalidPath { input, reason }
                if input == r"/admin)|(?:/x" && reason.contains("unopened group")),
            "{err:?}"
        );
    }

    #[test]
    fn rejects_unusable_paths_naming_them() {
        for (input, reason) in [
            ("api/*", "it does not start with `/`"),
            ("/api*", "`*` may only end a prefix, as `/*`"),
            ("/a/*/b", "`*` may only end a prefix, as `/*`"),
            ("/api?x=1", "it has a query or fragment"),
        ] {
            let err = ScopedPolicies::builder()
                .path(input, policy())
                .build()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("path `{input}` cannot scope a policy: {reason}; write an exact path like `/api/items` or a prefix like `/api/*`")
            );
        }
        let err = ScopedPolicies::builder()
            .path_regex("/api/(", policy())
            .build()
            .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("path `/api/(` cannot scope a policy: the regex does not compile: "));
    }
}
