//! Bounded, allocation-free parsing of `Access-Control-Request-Headers`.
//!
//! The header is attacker-controlled and arrives before any authentication, so its cost must be
//! bounded by configuration, not by what the client sends: the total length is checked before a
//! byte is scanned, and scanning stops at the configured number of names.

use http::header::GetAll;
use http::HeaderValue;

/// Whether `b` may appear in an HTTP token (RFC 9110 `tchar`).
pub(crate) const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// `is_tchar` for every byte, so checking a requested name is one load per byte instead of a
/// chain of range tests.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_tchar(b as u8);
        b += 1;
    }
    table
};

/// Whether `s` is a non-empty HTTP token.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| TCHAR[usize::from(b)])
}

/// Bounds on what a preflight may request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Total bytes over all `Access-Control-Request-Headers` lines.
    pub(crate) max_bytes: usize,
    /// Number of non-empty names.
    pub(crate) max_names: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Chromium sends one line, lower-case names joined by `,`. 64 names of 63 bytes is far
        // beyond any real application and keeps the worst case a few microseconds.
        Limits {
            max_bytes: 4096,
            max_names: 64,
        }
    }
}

/// One name a preflight requested, as it appeared in `Access-Control-Request-Headers`.
///
/// It is kept as the header value and a byte range, so rejecting a request copies nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestedName {
    value: HeaderValue,
    start: usize,
    end: usize,
}

impl RequestedName {
    /// The name's bytes, exactly as the client sent them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.value.as_bytes()[self.start..self.end]
    }

    /// The name, with any byte that is not printable ASCII escaped, so it is safe to log.
    pub fn escaped(&self) -> String {
        self.as_bytes().escape_ascii().to_string()
    }
}

impl std::fmt::Debug for RequestedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\"", self.as_bytes().escape_ascii())
    }
}

/// Why a requested header list was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    TooLong { len: usize },
    TooManyNames,
    NotAToken(RequestedName),
    NotAllowed(RequestedName),
}

/// What a successful scan found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Requested {
    /// Number of non-empty names.
    pub(crate) names: usize,
    /// Number of header lines.
    pub(crate) lines: usize,
    /// Whether some line had an empty list item (`a,,b`, a trailing comma, an empty line).
    pub(crate) has_empty_items: bool,
}

/// Scans every `Access-Control-Request-Headers` line, calling `allowed` for each name.
///
/// Items are separated by `,` with optional white space around them; empty items are skipped,
/// as HTTP list syntax requires of recipients.
pub(crate) fn scan(
    lines: GetAll<'_, HeaderValue>,
    limits: Limits,
    mut allowed: impl FnMut(&[u8]) -> bool,
) -> Result<Requested, ScanError> {
    let len: usize = lines.iter().map(HeaderValue::len).sum();
    if len > limits.max_bytes {
        return Err(ScanError::TooLong { len });
    }
    let mut found = Requested {
        names: 0,
        lines: 0,
        has_empty_items: false,
    };
    for value in lines {
        found.lines += 1;
        let bytes = value.as_bytes();
        let mut start = 0;
        while start <= bytes.len() {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |i| start + i);
            let (item_start, item_end) = trim_ows(bytes, start, end);
            if item_start == item_end {
                found.has_empty_items = true;
            } else {
                // The name is kept (a reference count on the header value) only to report it.
                let name = || RequestedName {
                    value: value.clone(),
                    start: item_start,
                    end: item_end,
                };
                let item = &bytes[item_start..item_end];
                if !is_token(item) {
                    return Err(ScanError::NotAToken(name()));
                }
                found.names += 1;
                if found.names > limits.max_names {
                    return Err(ScanError::TooManyNames);
                }
                if !allowed(item) {
                    return Err(ScanError::NotAllowed(name()));
                }
            }
            start = end + 1;
        }
    }
    Ok(found)
}

fn trim_ows(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && matches!(bytes[start], b' ' | b'\t') {
        start += 1;
    }
    while end > start && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::ACCESS_CONTROL_REQUEST_HEADERS as ACRH;
    use http::HeaderMap;

    fn map(lines: &[&str]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for l in lines {
            m.append(ACRH, HeaderValue::from_str(l).unwrap());
        }
        m
    }

    fn names(lines: &[&str]) -> Result<(Vec<String>, Requested), ScanError> {
        let m = map(lines);
        let mut seen = Vec::new();
        let r = scan(m.get_all(ACRH), Limits::default(), |n| {
            seen.push(String::from_utf8(n.to_vec()).unwrap());
            true
        })?;
        Ok((seen, r))
    }

    #[test]
    fn splits_trims_and_skips_empty_items_across_lines() {
        let (seen, r) = names(&["content-type, authorization", " ,x-a,\t,", "x-b"]).unwrap();
        assert_eq!(seen, ["content-type", "authorization", "x-a", "x-b"]);
        assert_eq!(
            r,
            Requested {
                names: 4,
                lines: 3,
                has_empty_items: true
            }
        );
        let (seen, r) = names(&["a,b"]).unwrap();
        assert_eq!(seen, ["a", "b"]);
        assert!(!r.has_empty_items);
        let (seen, r) = names(&[""]).unwrap();
        assert!(seen.is_empty());
        assert_eq!(r.names, 0);
    }

    #[test]
    fn rejects_non_tokens_naming_them() {
        let m = map(&["x-ok, x bad"]);
        let err = scan(m.get_all(ACRH), Limits::default(), |_| true).unwrap_err();
        let ScanError::NotAToken(name) = err else {
            panic!("{err:?}")
        };
        assert_eq!(name.as_bytes(), b"x bad");
    }

    #[test]
    fn reports_the_first_disallowed_name() {
        let m = map(&["content-type,x-secret,x-other"]);
        let err = scan(m.get_all(ACRH), Limits::default(), |n| n == b"content-type").unwrap_err();
        let ScanError::NotAllowed(name) = err else {
            panic!("{err:?}")
        };
        assert_eq!(name.as_bytes(), b"x-secret");
    }

    #[test]
    fn bounds_length_before_scanning_and_count_while_scanning() {
        let long = "a,".repeat(3000);
        let m = map(&[&long]);
        let mut calls = 0;
        let err = scan(m.get_all(ACRH), Limits::default(), |_| {
            calls += 1;
            true
        });
        assert_eq!(err, Err(ScanError::TooLong { len: 6000 }));
        assert_eq!(calls, 0);

        let many = vec!["x"; 65].join(",");
        let m = map(&[&many]);
        let mut calls = 0;
        let err = scan(m.get_all(ACRH), Limits::default(), |_| {
            calls += 1;
            true
        });
        assert_eq!(err, Err(ScanError::TooManyNames));
        assert_eq!(calls, 64);

        let empties = ",".repeat(4000);
        assert_eq!(names(&[&empties]).unwrap().1.names, 0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 512,
            failure_persistence: None,
            ..Default::default()
        })]
        /// Whatever the lines hold, the scan looks at no name when the lines are over the byte
        /// limit, and at no more than `max_names` names otherwise: its work is bounded by
        /// configuration, not by the request.
        #[test]
        fn scan_work_is_bounded_by_the_limits(
            lines in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        4 => proptest::sample::select(&b"abc-,, \t"[..]),
                        1 => 0x20u8..0x7f,
                        1 => 0x80u8..=0xff,
                    ],
                    0..80,
                ),
                0..4,
            ),
            max_bytes in 0usize..200,
            max_names in 0usize..10,
        ) {
            let mut m = HeaderMap::new();
            for l in &lines {
                m.append(ACRH, HeaderValue::from_bytes(l).unwrap());
            }
            let total: usize = lines.iter().map(Vec::len).sum();
            let mut calls = 0;
            let result = scan(m.get_all(ACRH), Limits { max_bytes, max_names }, |_| {
                calls += 1;
                true
            });
            proptest::prop_assert!(calls <= max_names);
            if total > max_bytes {
                proptest::prop_assert_eq!(&result, &Err(ScanError::TooLong { len: total }));
                proptest::prop_assert_eq!(calls, 0);
            }
            match result {
                Ok(found) => {
                    proptest::prop_assert_eq!(found.names, calls);
                    proptest::prop_assert_eq!(found.lines, lines.len());
                }
                Err(ScanError::TooManyNames) => proptest::prop_assert_eq!(calls, max_names),
                Err(_) => {}
            }
        }
    }
}
