//! The configuration lint: what a policy allows that is legal but risky, each finding with the
//! reason and the safer alternative. [`CorsPolicyBuilder::build`](super::CorsPolicyBuilder::build)
//! logs every finding through `tracing::warn!`; [`CorsPolicy::lint`] returns them.

use std::fmt;

use super::origin::{parse_serialized, OriginPattern};
use super::{CorsPolicy, REQUEST_PRIVATE_NETWORK};

/// The longest `Access-Control-Max-Age` Chromium honours (`kMaxTimeout`, 2 hours).
const CHROMIUM_MAX_AGE: u64 = 7200;

/// Common public suffixes and hosting platforms under which anyone can get a host name. A
/// `*.` pattern on one of them, or a single-label suffix, allows strangers' sites.
const PUBLIC_SUFFIXES: &[&str] = &[
    // Generic and country top-level domains, and their common second levels.
    "com",
    "net",
    "org",
    "edu",
    "gov",
    "io",
    "dev",
    "app",
    "co",
    "ai",
    "me",
    "tv",
    "cc",
    "info",
    "biz",
    "xyz",
    "online",
    "site",
    "cloud",
    "page",
    "uk",
    "co.uk",
    "org.uk",
    "ac.uk",
    "me.uk",
    "de",
    "fr",
    "nl",
    "eu",
    "us",
    "ca",
    "it",
    "es",
    "ch",
    "se",
    "no",
    "ru",
    "cn",
    "com.cn",
    "jp",
    "co.jp",
    "ne.jp",
    "au",
    "com.au",
    "net.au",
    "br",
    "com.br",
    "in",
    "co.in",
    "nz",
    "co.nz",
    "za",
    "co.za",
    "kr",
    "co.kr",
    // Hosting platforms that hand out sub-domains.
    "github.io",
    "gitlab.io",
    "herokuapp.com",
    "vercel.app",
    "netlify.app",
    "pages.dev",
    "workers.dev",
    "appspot.com",
    "web.app",
    "firebaseapp.com",
    "azurewebsites.net",
    "cloudfront.net",
    "amazonaws.com",
    "s3.amazonaws.com",
    "blogspot.com",
    "onrender.com",
    "fly.dev",
    "glitch.me",
    "ngrok.io",
    "ngrok-free.app",
    "trycloudflare.com",
];

/// Origins an attacker can own: a random label under a reserved name, under public suffixes,
/// on another port, over http. A regex that matches one of them admits strangers' sites.
const PROBES: &[&str] = &[
    "https://evil-q7x3k9.example",
    "http://evil-q7x3k9.example",
    "https://evil-q7x3k9.example:8443",
    "https://evil-q7x3k9.com",
    "https://evil-q7x3k9.co.uk",
    "https://evil-q7x3k9.github.io",
    "https://evil-q7x3k9.vercel.app",
];

/// What a [`Lint`] is about. The set may grow; the meaning (and [`as_str`](Self::as_str)) of
/// an existing kind does not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LintKind {
    /// The `null` origin is allowed.
    NullOrigin,
    /// An `http://` origin (not localhost or loopback) is allowed together with credentials.
    InsecureOriginWithCredentials,
    /// A `*.` pattern covers a public suffix or hosting platform (`https://*.com`,
    /// `https://*.co.uk`, `https://*.github.io`).
    PublicSuffixPattern,
    /// A regex matches host names anyone can register (`.*`, `https://.*`).
    WideRegex,
    /// Every origin is reflected ([`dangerously_reflect_any_origin`](crate::CorsPolicyBuilder::dangerously_reflect_any_origin)).
    ReflectAnyOrigin,
    /// Private Network Access is granted to any origin (`*`, reflection, or a wide rule).
    PrivateNetworkFromAnyOrigin,
    /// `max_age` is above what browsers honour.
    MaxAgeAboveBrowserCap,
}

impl LintKind {
    /// A stable, kebab-case name for logs and allow-lists, e.g. `"null-origin"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LintKind::NullOrigin => "null-origin",
            LintKind::InsecureOriginWithCredentials => "insecure-origin-with-credentials",
            LintKind::PublicSuffixPattern => "public-suffix-pattern",
            LintKind::WideRegex => "wide-regex",
            LintKind::ReflectAnyOrigin => "reflect-any-origin",
            LintKind::PrivateNetworkFromAnyOrigin => "private-network-from-any-origin",
            LintKind::MaxAgeAboveBrowserCap => "max-age-above-browser-cap",
        }
    }
}

impl fmt::Display for LintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One risky setting found by [`CorsPolicy::lint`]: what it is, why it is risky, and what to
/// write instead.
///
/// ```
/// use tower_cors::{CorsPolicy, LintKind};
///
/// let policy = CorsPolicy::builder()
///     .allow_origins(["https://*.co.uk", "null"])
///     .build()?;
/// let lints = policy.lint();
/// let kinds: Vec<LintKind> = lints.iter().map(|l| l.kind()).collect();
/// assert_eq!(kinds, [LintKind::NullOrigin, LintKind::PublicSuffixPattern]);
/// assert_eq!(lints[1].subject(), "https://*.co.uk");
/// assert!(lints[1].to_string().starts_with(
///     "public-suffix-pattern: `https://*.co.uk` matches every site under `co.uk`"
/// ));
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lint {
    kind: LintKind,
    subject: String,
    reason: String,
    instead: String,
}

impl Lint {
    fn new(
        kind: LintKind,
        subject: impl Into<String>,
        reason: impl Into<String>,
        instead: impl Into<String>,
    ) -> Self {
        Lint {
            kind,
            subject: subject.into(),
            reason: reason.into(),
            instead: instead.into(),
        }
    }

    /// What the finding is about.
    pub fn kind(&self) -> LintKind {
        self.kind
    }

    /// The setting at fault, as configured: an origin, a pattern, a regex, or a setting name.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Why it is risky.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The safer alternative.
    pub fn instead(&self) -> &str {
        &self.instead
    }
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}; instead, {}",
            self.kind, self.reason, self.instead
        )
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || (host.starts_with("127.") && host.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

fn is_public_suffix(suffix: &str) -> bool {
    (!suffix.contains('.') && suffix != "localhost") || PUBLIC_SUFFIXES.contains(&suffix)
}

impl CorsPolicy {
    /// Finds what this policy allows that is legal but risky, each [`Lint`] with the reason
    /// and the safer alternative. `build` logs the same findings through `tracing::warn!`
    /// (target `tower_cors`); call this to fail a test or a deployment on them instead.
    ///
    /// Flagged: the `null` origin; `http://` origins (other than localhost and loopback) with
    /// credentials; `*.` patterns on a public suffix or hosting platform; regexes that match
    /// host names anyone can register (checked by running them on probe origins such as
    /// `https://evil-q7x3k9.example`); reflecting every origin; Private Network Access for any
    /// origin; `max_age` above Chromium's 7200 s cap. Predicates (`allow_origin_fn`) cannot be
    /// inspected and are not flagged.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_cors::{CorsPolicy, LintKind};
    ///
    /// let risky = CorsPolicy::builder()
    ///     .allow_origin_regex("https://.*")
    ///     .allow_origins(["http://staging.example.com"])
    ///     .allow_credentials(true)
    ///     .max_age(Duration::from_secs(86_400))
    ///     .build()?;
    /// let kinds: Vec<LintKind> = risky.lint().iter().map(|l| l.kind()).collect();
    /// assert_eq!(
    ///     kinds,
    ///     [
    ///         LintKind::InsecureOriginWithCredentials,
    ///         LintKind::WideRegex,
    ///         LintKind::MaxAgeAboveBrowserCap,
    ///     ]
    /// );
    ///
    /// let fine = CorsPolicy::builder()
    ///     .allow_origins(["https://app.example.com", "https://*.example.com", "http://localhost:3000"])
    ///     .allow_credentials(true)
    ///     .max_age(Duration::from_secs(600))
    ///     .build()?;
    /// assert!(fine.lint().is_empty());
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn lint(&self) -> Vec<Lint> {
        let i = &*self.inner;
        let o = &i.origins;
        let mut lints = Vec::new();

        // What the origin lists say: the fixed one, and each replaceable list as it is now.
        let mut null = false;
        let mut exact: Vec<String> = Vec::new();
        let mut patterns: Vec<OriginPattern> = Vec::new();
        o.for_each_set(|set| {
            null |= set.allows_null();
            if i.credentials {
                exact.extend(
                    set.exact_origins()
                        .filter_map(|b| std::str::from_utf8(b).ok())
                        .filter(|s| s.starts_with("http://") || s.starts_with("ws://"))
                        .map(str::to_owned),
                );
            }
            patterns.extend(set.patterns());
        });

        if null {
            lints.push(Lint::new(
                LintKind::NullOrigin,
                "null",
                "`null` is allowed: sandboxed iframes, `data:` URLs and `file:` pages of any \
                 site send `Origin: null`, so every site on the web can make requests this \
                 policy allows",
                "list the real origins; a sandboxed frame of your own can be given \
                 `allow-same-origin` or be served from an origin you list",
            ));
        }

        if i.credentials {
            let mut insecure: Vec<String> = exact
                .into_iter()
                .filter(|s| {
                    parse_serialized(s.as_bytes()).is_some_and(|o| !is_loopback_host(o.host))
                })
                .collect();
            insecure.extend(
                patterns
                    .iter()
                    .filter(|p| {
                        let example = if p.subdomains() {
                            format!("x.{}", p.host())
                        } else {
                            p.host().to_owned()
                        };
                        matches!(p.scheme(), "http" | "ws") && !is_loopback_host(&example)
                    })
                    .map(OriginPattern::to_string),
            );
            insecure.sort();
            for origin in insecure {
                let https = origin.replacen("http://", "https://", 1);
                lints.push(Lint::new(
                    LintKind::InsecureOriginWithCredentials,
                    origin.clone(),
                    format!(
                        "`{origin}` is allowed with credentials over plain http: anyone on the \
                         network path (a public Wi-Fi, a proxy) can inject a script into that \
                         site and read your users' credentialed responses"
                    ),
                    format!("serve that site over https and allow `{https}`"),
                ));
            }
        }

        let mut wide_patterns: Vec<(String, String)> = patterns
            .iter()
            .filter(|p| p.subdomains() && is_public_suffix(p.host()))
            .map(|p| (p.to_string(), p.host().to_owned()))
            .collect();
        wide_patterns.sort();
        for (pattern, suffix) in &wide_patterns {
            lints.push(Lint::new(
                LintKind::PublicSuffixPattern,
                pattern.clone(),
                format!(
                    "`{pattern}` matches every site under `{suffix}`, where anyone can register \
                     a name"
                ),
                format!(
                    "put your own domain after `*.` (`{}`), or list the origins",
                    pattern.replacen(&format!("*.{suffix}"), &format!("*.yourdomain.{suffix}"), 1)
                ),
            ));
        }

        let mut wide_regexes: Vec<(&str, &str)> = Vec::new();
        for probe in PROBES {
            for regex in o.regexes_matching(probe.as_bytes()) {
                if !wide_regexes.iter().any(|(r, _)| *r == regex) {
                    wide_regexes.push((regex, probe));
                }
            }
        }
        for (regex, probe) in &wide_regexes {
            lints.push(Lint::new(
                LintKind::WideRegex,
                *regex,
                format!(
                    "origin regex `{regex}` matches `{probe}`, a site anyone can set up: it \
                     allows host names an attacker chooses"
                ),
                "spell out your own domain in the regex, with its dots escaped \
                 (`https://[a-z0-9-]+\\.yourdomain\\.com`), or use a `https://*.yourdomain.com` \
                 pattern",
            ));
        }

        if o.reflect_any {
            lints.push(Lint::new(
                LintKind::ReflectAnyOrigin,
                "dangerously_reflect_any_origin",
                if i.credentials {
                    "every origin is reflected with credentials: any site on the web can make \
                     your users' browsers send their cookies here and read the answers"
                } else {
                    "every origin is reflected: any site can read the responses, and a cache \
                     keyed without `Vary: Origin` may serve one site's answer to another"
                },
                "list the origins or a `https://*.yourdomain.com` pattern; for a public API \
                 without credentials, `allow_any_origin()` (`*`) says the same more safely",
            ));
        }

        if i.private_network {
            let open = o.any
                || o.reflect_any
                || !wide_patterns.is_empty()
                || !wide_regexes.is_empty()
                || null;
            if open {
                lints.push(Lint::new(
                    LintKind::PrivateNetworkFromAnyOrigin,
                    "allow_private_network",
                    format!(
                        "private network access (`{REQUEST_PRIVATE_NETWORK}`) is granted to \
                         origins anyone controls: any public website can reach this \
                         private-network service through its visitors' browsers"
                    ),
                    "allow private network access only with a list of your own origins",
                ));
            }
        }

        let max_age = i
            .max_age
            .as_ref()
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if let Some(secs) = max_age.filter(|s| *s > CHROMIUM_MAX_AGE) {
            lints.push(Lint::new(
                LintKind::MaxAgeAboveBrowserCap,
                "max_age",
                format!(
                    "max_age is {secs} s: Chromium caps a cached preflight at {CHROMIUM_MAX_AGE} s \
                     (Firefox at 86400 s), so the rest is ignored there, and a policy change \
                     takes longer to reach Firefox users"
                ),
                format!("`max_age(Duration::from_secs({CHROMIUM_MAX_AGE}))` or less"),
            ));
        }
        lints
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn kinds(policy: &CorsPolicy) -> Vec<LintKind> {
        policy.lint().iter().map(Lint::kind).collect()
    }

    fn base() -> crate::CorsPolicyBuilder {
        CorsPolicy::builder().allow_origins(["https://app.example.com"])
    }

    #[test]
    fn a_careful_policy_has_no_lint() {
        let policy = base()
            .allow_origins([
                "https://*.example.com",
                "http://localhost:3000",
                "http://127.0.0.1:8080",
                "http://[::1]:5173",
                "http://*.localhost:*",
            ])
            .allow_origin_regex(r"https://[a-z0-9-]+\.example\.org")
            .allow_credentials(true)
            .allow_private_network(true)
            .max_age(Duration::from_secs(7200))
            .build()
            .unwrap();
        assert_eq!(policy.lint(), []);
        // `*` without credentials is a legitimate public API.
        let public = CorsPolicy::builder().allow_any_origin().build().unwrap();
        assert_eq!(public.lint(), []);
    }

    #[test]
    fn null_origin() {
        let policy = base().allow_origins(["null"]).build().unwrap();
        let lints = policy.lint();
        assert_eq!(kinds(&policy), [LintKind::NullOrigin]);
        assert_eq!(lints[0].subject(), "null");
        assert_eq!(
            lints[0].to_string(),
            "null-origin: `null` is allowed: sandboxed iframes, `data:` URLs and `file:` pages \
             of any site send `Origin: null`, so every site on the web can make requests this \
             policy allows; instead, list the real origins; a sandboxed frame of your own can \
             be given `allow-same-origin` or be served from an origin you list"
        );
    }

    #[test]
    fn http_origins_with_credentials() {
        let policy = base()
            .allow_origins([
                "http://staging.example.com",
                "http://*.corp.example",
                "http://localhost:3000",
                "http://127.0.0.1",
            ])
            .allow_credentials(true)
            .build()
            .unwrap();
        let lints = policy.lint();
        assert_eq!(
            kinds(&policy),
            [
                LintKind::InsecureOriginWithCredentials,
                LintKind::InsecureOriginWithCredentials
            ]
        );
        assert_eq!(lints[0].subject(), "http://*.corp.example");
        assert_eq!(lints[1].subject(), "http://staging.example.com");
        assert_eq!(
            lints[1].instead(),
            "serve that site over https and allow `https://staging.example.com`"
        );
        // Origins from a replaceable list and `host:*` patterns are linted too (as listed at
        // the time of the call).
        let list =
            crate::OriginAllowlist::new(["http://tenant.example", "https://ok.example"]).unwrap();
        let policy = base()
            .allow_origin_list(list)
            .allow_origins(["http://dev.example.net:*", "http://localhost:*"])
            .allow_credentials(true)
            .build()
            .unwrap();
        let subjects: Vec<String> = policy
            .lint()
            .iter()
            .map(|l| l.subject().to_owned())
            .collect();
        assert_eq!(
            subjects,
            ["http://dev.example.net:*", "http://tenant.example"]
        );
        // Without credentials, http origins are not flagged.
        let plain = base()
            .allow_origins(["http://staging.example.com"])
            .build()
            .unwrap();
        assert_eq!(plain.lint(), []);
    }

    #[test]
    fn patterns_on_public_suffixes() {
        for (pattern, suffix) in [
            ("https://*.com", "com"),
            ("https://*.co.uk", "co.uk"),
            ("https://*.github.io", "github.io"),
            ("https://*.internal", "internal"),
            ("https://*.com:*", "com"),
        ] {
            let policy = base().allow_origins([pattern]).build().unwrap();
            let lints = policy.lint();
            assert_eq!(kinds(&policy), [LintKind::PublicSuffixPattern], "{pattern}");
            assert_eq!(lints[0].subject(), pattern);
            assert_eq!(
                lints[0].reason(),
                format!(
                    "`{pattern}` matches every site under `{suffix}`, where anyone can register a name"
                )
            );
        }
        let policy = base().allow_origins(["https://*.co.uk"]).build().unwrap();
        assert_eq!(
            policy.lint()[0].instead(),
            "put your own domain after `*.` (`https://*.yourdomain.co.uk`), or list the origins"
        );
        for fine in [
            "https://*.example.co.uk",
            "https://*.me.github.io",
            "http://*.localhost",
        ] {
            let policy = base().allow_origins([fine]).build().unwrap();
            assert_eq!(policy.lint(), [], "{fine}");
        }
    }

    #[test]
    fn regexes_matching_attacker_chosen_hosts() {
        for (regex, probe) in [
            (".*", "https://evil-q7x3k9.example"),
            ("https://.*", "https://evil-q7x3k9.example"),
            (r"https?://[^/]+", "https://evil-q7x3k9.example"),
            (r"https://[a-z0-9-]+\.com", "https://evil-q7x3k9.com"),
            (r"https://.*\.github\.io", "https://evil-q7x3k9.github.io"),
            (r"http://.*", "http://evil-q7x3k9.example"),
        ] {
            let policy = base().allow_origin_regex(regex).build().unwrap();
            let lints = policy.lint();
            assert_eq!(kinds(&policy), [LintKind::WideRegex], "{regex}");
            assert_eq!(lints[0].subject(), regex);
            assert_eq!(
                lints[0].reason(),
                format!(
                    "origin regex `{regex}` matches `{probe}`, a site anyone can set up: it \
                     allows host names an attacker chooses"
                )
            );
        }
        let narrow = base()
            .allow_origin_regex(r"https://(app|admin)\.example\.com")
            .allow_origin_regex(r"https://[a-z]+\.example\.org(:8443)?")
            .build()
            .unwrap();
        assert_eq!(narrow.lint(), []);
        // Each wide regex is named once, beside the narrow ones.
        let mixed = base()
            .allow_origin_regex(r"https://[a-z]+\.example\.org")
            .allow_origin_regex(".*")
            .build()
            .unwrap();
        let lints = mixed.lint();
        assert_eq!(lints.len(), 1);
        assert_eq!(lints[0].subject(), ".*");
    }

    #[test]
    fn reflecting_every_origin() {
        let policy = CorsPolicy::builder()
            .dangerously_reflect_any_origin()
            .allow_credentials(true)
            .build()
            .unwrap();
        let lints = policy.lint();
        assert_eq!(kinds(&policy), [LintKind::ReflectAnyOrigin]);
        assert_eq!(lints[0].subject(), "dangerously_reflect_any_origin");
        assert!(lints[0].reason().starts_with(
            "every origin is reflected with credentials: any site on the web can make"
        ));
    }

    #[test]
    fn private_network_access_for_any_origin() {
        for builder in [
            CorsPolicy::builder().allow_any_origin(),
            base().allow_origin_regex(".*"),
            base().allow_origins(["https://*.com"]),
            base().allow_origins(["null"]),
        ] {
            let policy = builder.allow_private_network(true).build().unwrap();
            assert!(
                kinds(&policy).contains(&LintKind::PrivateNetworkFromAnyOrigin),
                "{policy:?}"
            );
        }
        let reflect = CorsPolicy::builder()
            .dangerously_reflect_any_origin()
            .allow_private_network(true)
            .build()
            .unwrap();
        assert_eq!(
            kinds(&reflect),
            [
                LintKind::ReflectAnyOrigin,
                LintKind::PrivateNetworkFromAnyOrigin
            ]
        );
        let listed = base().allow_private_network(true).build().unwrap();
        assert_eq!(listed.lint(), []);
    }

    #[test]
    fn max_age_above_the_chromium_cap() {
        let at_cap = base().max_age(Duration::from_secs(7200)).build().unwrap();
        assert_eq!(at_cap.lint(), []);
        let over = base().max_age(Duration::from_secs(7201)).build().unwrap();
        let lints = over.lint();
        assert_eq!(kinds(&over), [LintKind::MaxAgeAboveBrowserCap]);
        assert_eq!(lints[0].subject(), "max_age");
        assert_eq!(
            lints[0].instead(),
            "`max_age(Duration::from_secs(7200))` or less"
        );
        assert!(lints[0]
            .reason()
            .starts_with("max_age is 7201 s: Chromium caps"));
    }

    #[test]
    fn build_logs_each_lint_as_a_warning() {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Capture(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Capture {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            base()
                .allow_origins(["null"])
                .max_age(Duration::from_secs(86_400))
                .build()
                .unwrap();
            base().build().unwrap();
        });
        let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 2, "{log}");
        assert!(lines[0]
            .starts_with(" WARN tower_cors: null-origin: `null` is allowed: sandboxed iframes"));
        assert!(lines[0].ends_with("lint=\"null-origin\""), "{}", lines[0]);
        assert!(
            lines[1].starts_with(" WARN tower_cors: max-age-above-browser-cap: max_age is 86400 s")
        );
    }

    #[test]
    fn kinds_have_stable_names() {
        assert_eq!(
            [
                LintKind::NullOrigin,
                LintKind::InsecureOriginWithCredentials,
                LintKind::PublicSuffixPattern,
                LintKind::WideRegex,
                LintKind::ReflectAnyOrigin,
                LintKind::PrivateNetworkFromAnyOrigin,
                LintKind::MaxAgeAboveBrowserCap,
            ]
            .map(LintKind::as_str),
            [
                "null-origin",
                "insecure-origin-with-credentials",
                "public-suffix-pattern",
                "wide-regex",
                "reflect-any-origin",
                "private-network-from-any-origin",
                "max-age-above-browser-cap",
            ]
        );
    }
}
