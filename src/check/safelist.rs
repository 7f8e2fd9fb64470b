//! The Fetch standard's lists: methods, forbidden and safelisted request
//! headers, safelisted response headers, and the `#token` list syntax of
//! `Access-Control-Allow-*` headers.

use super::mime::{is_token_byte, parse_mime_type};

/// Fetch's *normalize* for methods: only these six are upper-cased;
/// any other method keeps its case (so `patch` stays `patch`).
pub(crate) fn normalize_method(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    for m in NORMALIZED {
        if method.eq_ignore_ascii_case(m) {
            return m.to_owned();
        }
    }
    method.to_owned()
}

/// CORS-safelisted method: byte-equal `GET`, `HEAD` or `POST` (after normalization).
pub(crate) fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Forbidden method (case-insensitive): fetch() throws for these.
pub(crate) fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m))
}

pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token_byte(b))
}

/// Names a script can never set. `Access-Control-Request-*` as a whole is
/// refused (the standard lists the Method and Headers names; Chromium also
/// refuses the Private-Network one).
const FORBIDDEN_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Why a header is a forbidden request-header, or `None` if a script may set it.
pub(crate) fn forbidden_reason(lower_name: &str, value: &[u8]) -> Option<&'static str> {
    if FORBIDDEN_NAMES.contains(&lower_name) || lower_name.starts_with("access-control-request-") {
        return Some("it is a forbidden request-header that only the browser sets");
    }
    if lower_name.starts_with("proxy-") || lower_name.starts_with("sec-") {
        return Some("`Proxy-*` and `Sec-*` names are forbidden request-headers");
    }
    if matches!(
        lower_name,
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && split_http_list(value)
        .iter()
        .any(|m| is_forbidden_method(&String::from_utf8_lossy(m)))
    {
        return Some("a method-override header carrying CONNECT, TRACE or TRACK is forbidden");
    }
    None
}

/// "Get, decode, and split": comma-separated, quotes respected, HTTP tab/space trimmed.
fn split_http_list(value: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut in_quotes = false;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                current.push(b);
            }
            b'\\' if in_quotes && i + 1 < value.len() => {
                current.push(b);
                current.push(value[i + 1]);
                i += 1;
            }
            b',' if !in_quotes => out.push(std::mem::take(&mut current)),
            _ => current.push(b),
        }
        i += 1;
    }
    out.push(current);
    out.into_iter()
        .map(|v| {
            let s = v
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t'))
                .unwrap_or(v.len());
            let e = v
                .iter()
                .rposition(|b| !matches!(b, b' ' | b'\t'))
                .map_or(s, |p| p + 1);
            v[s..e.max(s)].to_vec()
        })
        .collect()
}

/// CORS-unsafe request-header byte.
pub(crate) fn is_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t')
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7f
        )
}

fn is_language_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
}

/// "Parse a single range header value" with allowWhitespace = false,
/// returning whether the start is present and start <= end.
fn range_is_safelisted(value: &[u8]) -> bool {
    let mut pos = 0;
    while pos < value.len() && value[pos].is_ascii_alphabetic() {
        pos += 1;
    }
    if !value[..pos].eq_ignore_ascii_case(b"bytes") {
        return false;
    }
    if value.get(pos) != Some(&b'=') {
        return false;
    }
    pos += 1;
    let start_at = pos;
    while pos < value.len() && value[pos].is_ascii_digit() {
        pos += 1;
    }
    let start = &value[start_at..pos];
    if value.get(pos) != Some(&b'-') {
        return false;
    }
    pos += 1;
    let end_at = pos;
    while pos < value.len() && value[pos].is_ascii_digit() {
        pos += 1;
    }
    let end = &value[end_at..pos];
    if pos != value.len() {
        return false;
    }
    // `bytes=-500` (a suffix range) parses but is not safelisted.
    if start.is_empty() {
        return false;
    }
    end.is_empty() || digits_le(start, end)
}

/// `a <= b` for decimal digit strings of any length (no overflow).
fn digits_le(a: &[u8], b: &[u8]) -> bool {
    let strip = |s: &[u8]| -> Vec<u8> {
        let i = s.iter().position(|&c| c != b'0').unwrap_or(s.len());
        s[i..].to_vec()
    };
    let (a, b) = (strip(a), strip(b));
    if a.len() != b.len() {
        return a.len() < b.len();
    }
    a <= b
}

/// CORS-safelisted request-header (name must already be lower-case).
pub(crate) fn is_safelisted_request_header(lower_name: &str, value: &[u8]) -> bool {
    if value.len() > 128 {
        return false;
    }
    match lower_name {
        "accept" => !value.iter().any(|&b| is_unsafe_byte(b)),
        "accept-language" | "content-language" => value.iter().all(|&b| is_language_byte(b)),
        "content-type" => {
            if value.iter().any(|&b| is_unsafe_byte(b)) {
                return false;
            }
            match parse_mime_type(value) {
                Some(m) => matches!(
                    m.essence().as_str(),
                    "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                ),
                None => false,
            }
        }
        "range" => range_is_safelisted(value),
        _ => false,
    }
}

/// CORS-unsafe request-header names of a header list of (lower-case name,
/// value) entries, in list order, each name once. The caller sorts for
/// `Access-Control-Request-Headers`.
pub(crate) fn unsafe_names(headers: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut unsafe_list: Vec<String> = Vec::new();
    let mut safelisted: Vec<String> = Vec::new();
    let mut safelisted_bytes = 0usize;
    for (name, value) in headers {
        if is_safelisted_request_header(name, value) {
            safelisted_bytes += value.len();
            safelisted.push(name.clone());
        } else {
            unsafe_list.push(name.clone());
        }
    }
    // Over 1024 bytes of safelisted values, the safelisted names count as unsafe too.
    if safelisted_bytes > 1024 {
        unsafe_list.extend(safelisted);
    }
    let mut seen = std::collections::HashSet::new();
    unsafe_list.retain(|n| seen.insert(n.clone()));
    unsafe_list
}

/// Parses an `Access-Control-Allow-Methods` / `-Headers` value (`#token`):
/// comma-separated tokens, optional whitespace, empty items ignored.
/// `None` is a parse failure.
pub(crate) fn parse_token_list(value: &[u8]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for item in value.split(|&b| b == b',') {
        let s = item
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(item.len());
        let e = item
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(s, |p| p + 1);
        let item = &item[s..e.max(s)];
        if item.is_empty() {
            continue;
        }
        if !is_token(item) {
            return None;
        }
        out.push(String::from_utf8_lossy(item).into_owned());
    }
    Some(out)
}

/// CORS-safelisted response-header names (always readable cross-origin).
pub(crate) const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Forbidden response-header names: never readable by script.
pub(crate) fn is_forbidden_response_header(lower_name: &str) -> bool {
    lower_name == "set-cookie" || lower_name == "set-cookie2"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(name: &str, value: &str) -> bool {
        is_safelisted_request_header(name, value.as_bytes())
    }

    #[test]
    fn methods() {
        assert_eq!(normalize_method("get"), "GET");
        assert_eq!(normalize_method("dElEtE"), "DELETE");
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("PATCH"), "PATCH");
        assert!(is_safelisted_method("POST"));
        assert!(!is_safelisted_method("post"));
        assert!(!is_safelisted_method("PUT"));
        assert!(is_forbidden_method("connect"));
        assert!(is_forbidden_method("TrAcK"));
        assert!(!is_forbidden_method("OPTIONS"));
    }

    #[test]
    fn accept() {
        assert!(safe("accept", "application/json, text/*;q=0.9"));
        assert!(safe("accept", "a\tb"));
        for b in [
            "\"", "(", ")", ":", "<", ">", "?", "@", "[", "\\", "]", "{", "}", "\x7f", "\x01",
        ] {
            assert!(!safe("accept", &format!("text/html{b}")), "{b:?}");
        }
    }

    #[test]
    fn languages() {
        for name in ["accept-language", "content-language"] {
            assert!(safe(name, "en-US,fr;q=0.5, *"));
            assert!(safe(name, "de.AT=1"));
            assert!(!safe(name, "en_US"));
            assert!(!safe(name, "en\tUS"));
            assert!(!safe(name, "en/US"));
            assert!(!safe(name, "é"));
        }
    }

    #[test]
    fn content_type() {
        assert!(safe("content-type", "text/plain"));
        assert!(safe("content-type", "TEXT/Plain; charset=utf-8"));
        assert!(safe("content-type", "application/x-www-form-urlencoded"));
        assert!(safe("content-type", "multipart/form-data; boundary=----x"));
        assert!(!safe("content-type", "application/json"));
        // A list fails "parse a MIME type" (extract would have picked one).
        assert!(!safe("content-type", "text/plain, application/json"));
        // Unsafe bytes are rejected before parsing, even inside parameters.
        assert!(!safe("content-type", "text/plain; charset=\"utf-8\""));
        assert!(!safe("content-type", "text/plain; a=b:c"));
        assert!(!safe("content-type", "text/plain garbage"));
    }

    #[test]
    fn range() {
        assert!(safe("range", "bytes=0-"));
        assert!(safe("range", "bytes=0-499"));
        assert!(safe("range", "Bytes=5-5"));
        assert!(safe("range", "bytes=00010-99999999999999999999999"));
        assert!(!safe("range", "bytes=-500"));
        assert!(!safe("range", "bytes=500-100"));
        assert!(!safe("range", "bytes=0-1,3-4"));
        assert!(!safe("range", "bytes = 0-1"));
        assert!(!safe("range", "bytes=0 -1"));
        assert!(!safe("range", "items=0-1"));
        assert!(!safe("range", "bytes=-"));
        assert!(!safe("range", "bytes="));
        assert!(!safe("range", "bytes=99999999999999999999-1"));
    }

    #[test]
    fn other_names_and_128_bytes() {
        assert!(!safe("x-requested-with", "XMLHttpRequest"));
        assert!(!safe("authorization", "Bearer x"));
        assert!(!safe("dpr", "2"));
        assert!(safe("accept", &"a".repeat(128)));
        assert!(!safe("accept", &"a".repeat(129)));
        assert!(safe("content-language", &"a".repeat(128)));
        assert!(!safe("content-language", &"a".repeat(129)));
    }

    #[test]
    fn unsafe_names_and_1024_bytes() {
        let h = |n: &str, v: &str| (n.to_owned(), v.as_bytes().to_vec());
        assert_eq!(
            unsafe_names(&[
                h("x-b", "1"),
                h("accept", "*/*"),
                h("x-a", "2"),
                h("x-b", "3")
            ]),
            vec!["x-b", "x-a"]
        );
        // Eight 128-byte values sum to exactly 1024: still safelisted.
        let v = "a".repeat(128);
        let list: Vec<_> = (0..8).map(|_| h("accept-language", &v)).collect();
        assert!(unsafe_names(&list).is_empty());
        let mut over = list.clone();
        over.push(h("accept", "x"));
        over.push(h("x-z", "1"));
        assert_eq!(
            unsafe_names(&over),
            vec!["x-z", "accept-language", "accept"]
        );
    }

    #[test]
    fn forbidden() {
        for n in [
            "cookie",
            "origin",
            "host",
            "access-control-request-method",
            "access-control-request-private-network",
            "sec-fetch-mode",
            "proxy-authorization",
            "set-cookie",
            "via",
        ] {
            assert!(forbidden_reason(n, b"x").is_some(), "{n}");
        }
        assert!(forbidden_reason("authorization", b"x").is_none());
        assert!(forbidden_reason("user-agent", b"x").is_none());
        assert!(forbidden_reason("x-http-method-override", b"PUT").is_none());
        assert!(forbidden_reason("x-http-method-override", b"PUT, trace").is_some());
        assert!(forbidden_reason("x-method-override", b"\"a,b\", CONNECT").is_some());
        assert!(forbidden_reason("x-http-method", b"\"TRACE\"").is_none());
    }

    #[test]
    fn token_lists() {
        assert_eq!(
            parse_token_list(b"PUT, DELETE ,,patch").unwrap(),
            vec!["PUT", "DELETE", "patch"]
        );
        assert_eq!(parse_token_list(b"").unwrap(), Vec::<String>::new());
        assert_eq!(parse_token_list(b"*").unwrap(), vec!["*"]);
        assert!(parse_token_list(b"PUT DELETE").is_none());
        assert!(parse_token_list(b"x-a; x-b").is_none());
        assert!(parse_token_list(b"\"x\"").is_none());
    }
}
