//! The small part of the URL standard the model needs: the page origin and
//! the request URL, serialized the way a browser serializes them.
//!
//! Deliberately strict: anything a browser would normalize in ways this
//! module does not (IDNA, percent-encoding, dot segments) is refused with a
//! [`CheckError`] rather than guessed at.

use super::error::CheckError;

/// A serialized origin: `scheme://host[:port]` (default port dropped) or an
/// opaque origin that serializes as `null`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Origin {
    Opaque,
    Tuple(String),
}

impl Origin {
    pub(crate) fn serialize(&self) -> &str {
        match self {
            Origin::Opaque => "null",
            Origin::Tuple(s) => s,
        }
    }
}

/// An absolute request URL split into what the model needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) scheme: String,
    /// `host[:port]` with the default port dropped; empty for non-HTTP schemes.
    pub(crate) authority: String,
    /// Path and query, always starting with `/` for http(s).
    pub(crate) path_and_query: String,
    /// The serialization without fragment: the preflight cache key.
    pub(crate) serialized: String,
}

impl Url {
    pub(crate) fn is_http(&self) -> bool {
        self.scheme == "http" || self.scheme == "https"
    }

    /// The URL's origin; non-HTTP(S) URLs have an opaque origin, which is
    /// never same-origin with anything.
    pub(crate) fn origin(&self) -> Option<String> {
        if self.is_http() {
            Some(format!("{}://{}", self.scheme, self.authority))
        } else {
            None
        }
    }
}

fn default_port(scheme: &str) -> Option<&'static str> {
    match scheme {
        "http" => Some("80"),
        "https" => Some("443"),
        _ => None,
    }
}

fn valid_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
}

/// Parses `host[:port]`, lower-casing the host and dropping the scheme's
/// default port.
fn parse_authority(
    what: &'static str,
    input: &str,
    scheme: &str,
    auth: &str,
) -> Result<String, CheckError> {
    if auth.contains('@') {
        return Err(CheckError::new(
            what,
            input,
            "userinfo (user:password@) is not allowed: fetch() refuses URLs with credentials",
        ));
    }
    if !auth.is_ascii() {
        return Err(CheckError::new(
            what,
            input,
            "non-ASCII host: write it in punycode (xn--...), as the browser would send it",
        ));
    }
    let (host, port) = if let Some(rest) = auth.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| CheckError::new(what, input, "unterminated IPv6 address"))?;
        let host = &auth[..end + 2];
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(CheckError::new(what, input, "junk after the IPv6 address")),
        };
        (host, port)
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (auth, None),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err(CheckError::new(what, input, "the host is empty"));
    }
    if host.bytes().any(|b| {
        b.is_ascii_whitespace()
            || matches!(
                b,
                b'/' | b'\\' | b'?' | b'#' | b'%' | b'<' | b'>' | b'^' | b'|'
            )
    }) {
        return Err(CheckError::new(
            what,
            input,
            "the host has a character a browser would refuse or encode",
        ));
    }
    let host = host.to_ascii_lowercase();
    let port = match port {
        None | Some("") => None,
        Some(p) => {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CheckError::new(what, input, "the port is not a number"));
            }
            let trimmed = p.trim_start_matches('0');
            let canonical = if trimmed.is_empty() { "0" } else { trimmed };
            if canonical.len() > 5 || canonical.parse::<u32>().map_or(true, |n| n > 65535) {
                return Err(CheckError::new(what, input, "the port is out of range"));
            }
            if default_port(scheme) == Some(canonical) {
                None
            } else {
                Some(canonical.to_owned())
            }
        }
    };
    Ok(match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Parses a page origin such as `http://localhost:3000` or `null`.
pub(crate) fn parse_origin(input: &str) -> Result<Origin, CheckError> {
    const WHAT: &str = "page origin";
    if input == "null" {
        return Ok(Origin::Opaque);
    }
    let (scheme, rest) = input.split_once("://").ok_or_else(|| {
        CheckError::new(
            WHAT,
            input,
            "expected `http://host[:port]`, `https://host[:port]` or `null`",
        )
    })?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(CheckError::new(
            WHAT,
            input,
            "only http and https pages are modelled; a file:, data: or sandboxed page has the opaque origin: pass `null`",
        ));
    }
    // A trailing slash is tolerated (it is not part of the origin); a path is not.
    let auth = rest.strip_suffix('/').unwrap_or(rest);
    if auth.contains(['/', '?', '#']) {
        return Err(CheckError::new(
            WHAT,
            input,
            "an origin has no path, query or fragment: give only scheme://host[:port]",
        ));
    }
    let authority = parse_authority(WHAT, input, &scheme, auth)?;
    Ok(Origin::Tuple(format!("{scheme}://{authority}")))
}

/// Parses an absolute URL. http(s) URLs are fully split; other schemes are
/// kept so that the model can report `CorsDisabledScheme` for them.
pub(crate) fn parse_url(input: &str) -> Result<Url, CheckError> {
    const WHAT: &str = "URL";
    if input.bytes().any(|b| b <= b' ' || b == 0x7f) || !input.is_ascii() {
        return Err(CheckError::new(
            WHAT,
            input,
            "contains whitespace, control or non-ASCII characters: percent-encode it as the browser would",
        ));
    }
    let (scheme, rest) = input
        .split_once(':')
        .ok_or_else(|| CheckError::new(WHAT, input, "not an absolute URL (no scheme)"))?;
    if !valid_scheme(scheme) {
        return Err(CheckError::new(
            WHAT,
            input,
            "not an absolute URL (bad scheme)",
        ));
    }
    let scheme = scheme.to_ascii_lowercase();
    let without_fragment = match input.split_once('#') {
        Some((before, _)) => before,
        None => input,
    };
    if scheme != "http" && scheme != "https" {
        if scheme == "data" || scheme == "blob" || scheme == "about" {
            return Err(CheckError::new(
                WHAT,
                input,
                "data:, blob: and about: fetches are not CORS requests and are not modelled",
            ));
        }
        let mut serialized = without_fragment.to_owned();
        serialized.replace_range(..scheme.len(), &scheme);
        return Ok(Url {
            scheme,
            authority: String::new(),
            path_and_query: String::new(),
            serialized,
        });
    }
    let rest = rest
        .strip_prefix("//")
        .ok_or_else(|| CheckError::new(WHAT, input, "expected `//` after the scheme"))?;
    let rest = match rest.split_once('#') {
        Some((before, _)) => before,
        None => rest,
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(end);
    let authority = parse_authority(WHAT, input, &scheme, auth)?;
    if tail.contains('\\') {
        return Err(CheckError::new(
            WHAT,
            input,
            "backslashes are rewritten by browsers: use `/`",
        ));
    }
    let path_and_query = if tail.is_empty() {
        "/".to_owned()
    } else if tail.starts_with('?') {
        format!("/{tail}")
    } else {
        tail.to_owned()
    };
    let serialized = format!("{scheme}://{authority}{path_and_query}");
    Ok(Url {
        scheme,
        authority,
        path_and_query,
        serialized,
    })
}

/// Why a `Location` header cannot be followed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LocationError {
    /// Not a URL the model can resolve.
    Invalid,
    /// A URL whose scheme is not http or https.
    NotHttp,
}

/// A resolved `Location`: the URL (fragment and userinfo dropped) and
/// whether it carried userinfo (`user:pass@`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) url: Url,
    pub(crate) userinfo: bool,
}

/// Removes `.` and `..` segments from an absolute path (RFC 3986 5.2.4).
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let n = segments.len();
    for (i, seg) in segments.into_iter().enumerate() {
        let last = i + 1 == n;
        match seg {
            "." | "%2e" | "%2E" => {
                if last {
                    out.push("");
                }
            }
            ".." | ".%2e" | ".%2E" | "%2e." | "%2E." | "%2e%2e" | "%2E%2E" => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// Resolves a redirect's `Location` value against the URL that answered,
/// as a browser would: absolute, scheme-relative (`//host/p`),
/// path-absolute (`/p`), query-only (`?q`) and path-relative (`p`, `../p`)
/// references; dot segments removed; userinfo reported and dropped.
pub(crate) fn resolve_location(base: &Url, location: &str) -> Result<Location, LocationError> {
    let location = location.trim_matches(|c: char| c <= ' ');
    let location: String = location
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if location.bytes().any(|b| b <= b' ' || b == 0x7f) || !location.is_ascii() {
        return Err(LocationError::Invalid);
    }
    let scheme_end = location.find(':').filter(|&i| {
        let s = &location[..i];
        valid_scheme(s) && !s.contains(['/', '?', '#'])
    });
    let absolute = match scheme_end {
        Some(i) => {
            let scheme = location[..i].to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return Err(LocationError::NotHttp);
            }
            let rest = &location[i + 1..];
            if scheme == base.scheme && !rest.starts_with("//") {
                // `http:path` against an http URL is a relative reference.
                return resolve_location(base, rest);
            }
            // Special schemes ignore any number of slashes before the host.
            format!("{scheme}://{}", rest.trim_start_matches('/'))
        }
        None if location.starts_with("//") => format!("{}:{location}", base.scheme),
        None => {
            let origin = base.origin().ok_or(LocationError::Invalid)?;
            let (base_path, base_query) = match base.path_and_query.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (base.path_and_query.as_str(), None),
            };
            let reference = location.split('#').next().unwrap_or("");
            let tail = if reference.is_empty() {
                match base_query {
                    Some(q) => format!("{base_path}?{q}"),
                    None => base_path.to_owned(),
                }
            } else if reference.starts_with('?') {
                format!("{base_path}{reference}")
            } else if reference.starts_with('/') {
                reference.to_owned()
            } else {
                let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
                format!("{dir}{reference}")
            };
            format!("{origin}{tail}")
        }
    };
    // Split off and drop userinfo, then parse strictly.
    let (scheme, rest) = absolute.split_once("://").ok_or(LocationError::Invalid)?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (true, &authority[i + 1..]),
        None => (false, authority),
    };
    let mut url =
        parse_url(&format!("{scheme}://{host}{tail}")).map_err(|_| LocationError::Invalid)?;
    let (path, query) = match url.path_and_query.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (url.path_and_query.clone(), None),
    };
    let path = remove_dot_segments(&path);
    url.path_and_query = match query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    url.serialized = format!("{}://{}{}", url.scheme, url.authority, url.path_and_query);
    Ok(Location { url, userinfo })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_serialize_like_browsers() {
        assert_eq!(parse_origin("null").unwrap(), Origin::Opaque);
        let o = parse_origin("HTTP://LocalHost:3000/").unwrap();
        assert_eq!(o.serialize(), "http://localhost:3000");
        assert_eq!(
            parse_origin("https://a.test:443").unwrap().serialize(),
            "https://a.test"
        );
        assert_eq!(
            parse_origin("http://[::1]:8080").unwrap().serialize(),
            "http://[::1]:8080"
        );
        for bad in [
            "localhost:3000",
            "http://a.test/app",
            "http://u:p@a.test",
            "file:///x",
            "http://",
            "http://a.test:99999",
            "http://a.test:x",
        ] {
            let e = parse_origin(bad).unwrap_err();
            assert!(e.to_string().contains(bad), "{e}");
        }
    }

    #[test]
    fn urls_keep_query_drop_fragment() {
        let u = parse_url("http://API.test:80/a/b?x=1#frag").unwrap();
        assert_eq!(u.serialized, "http://api.test/a/b?x=1");
        assert_eq!(u.path_and_query, "/a/b?x=1");
        assert_eq!(u.origin().as_deref(), Some("http://api.test"));
        let u = parse_url("https://api.test?q").unwrap();
        assert_eq!(u.path_and_query, "/?q");
        let u = parse_url("ftp://files.test/x").unwrap();
        assert!(!u.is_http());
        assert_eq!(u.origin(), None);
        assert!(parse_url("/relative").is_err());
        assert!(parse_url("http://a.test/a b").is_err());
        assert!(parse_url("http://user@a.test/").is_err());
        assert!(parse_url("data:text/plain,hi").is_err());
    }

    #[test]
    fn locations_resolve_like_browsers() {
        let base = parse_url("http://api.test:8080/a/b/c?x=1#f").unwrap();
        let r = |l: &str| resolve_location(&base, l).map(|l| (l.url.serialized, l.userinfo));
        let ok = |s: &str, u: bool| Ok((s.to_owned(), u));
        assert_eq!(
            r("http://other.test/z#frag"),
            ok("http://other.test/z", false)
        );
        assert_eq!(
            r("HTTPS://Other.test:443/z"),
            ok("https://other.test/z", false)
        );
        assert_eq!(r("//other.test/z"), ok("http://other.test/z", false));
        assert_eq!(r("/z?q"), ok("http://api.test:8080/z?q", false));
        assert_eq!(r("?y=2"), ok("http://api.test:8080/a/b/c?y=2", false));
        assert_eq!(r("next"), ok("http://api.test:8080/a/b/next", false));
        assert_eq!(r("../up/./x"), ok("http://api.test:8080/a/up/x", false));
        assert_eq!(r("/a/../../.."), ok("http://api.test:8080/", false));
        assert_eq!(r("#only"), ok("http://api.test:8080/a/b/c?x=1", false));
        assert_eq!(r("http:rel"), ok("http://api.test:8080/a/b/rel", false));
        assert_eq!(r(" /trimmed "), ok("http://api.test:8080/trimmed", false));
        assert_eq!(
            r("http://user:pw@api.test:8080/n"),
            ok("http://api.test:8080/n", true)
        );
        assert_eq!(r("//u@other.test/"), ok("http://other.test/", true));
        assert_eq!(r("ftp://files.test/x"), Err(LocationError::NotHttp));
        assert_eq!(r("data:text/plain,hi"), Err(LocationError::NotHttp));
        assert_eq!(r("https:other.test/p"), ok("https://other.test/p", false));
        assert_eq!(r("https:///other.test"), ok("https://other.test/", false));
        assert_eq!(r("https://"), Err(LocationError::Invalid));
        assert_eq!(r("http://bad host/"), Err(LocationError::Invalid));
        assert_eq!(r("http://a.test:99999/"), Err(LocationError::Invalid));
    }
}
