//! "Parse a MIME type" (WHATWG MIME Sniffing), which Fetch runs on a
//! `Content-Type` request header before deciding whether it is safelisted.
//!
//! Fetch deliberately uses *parse*, not *extract*: a value that is a list
//! (`text/plain, text/html`) fails instead of picking one member.

/// A parsed MIME type. Parameters never make parsing fail; they are kept
/// only for tests and diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MimeType {
    pub(crate) kind: String,
    pub(crate) subtype: String,
    pub(crate) params: Vec<(String, String)>,
}

impl MimeType {
    pub(crate) fn essence(&self) -> String {
        format!("{}/{}", self.kind, self.subtype)
    }
}

fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

fn is_quoted_string_token_byte(b: u8) -> bool {
    b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80
}

fn trim_end_ws(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && is_http_whitespace(s[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Collects an HTTP quoted string starting at `input[*pos] == b'"'`,
/// returning the extracted value.
fn collect_quoted(input: &[u8], pos: &mut usize) -> Vec<u8> {
    let mut value = Vec::new();
    *pos += 1;
    loop {
        while *pos < input.len() && input[*pos] != b'"' && input[*pos] != b'\\' {
            value.push(input[*pos]);
            *pos += 1;
        }
        if *pos >= input.len() {
            break;
        }
        let quote_or_backslash = input[*pos];
        *pos += 1;
        if quote_or_backslash == b'\\' {
            if *pos >= input.len() {
                value.push(b'\\');
                break;
            }
            value.push(input[*pos]);
            *pos += 1;
        } else {
            break;
        }
    }
    value
}

/// Parses `input` (a header value's bytes) as a MIME type; `None` is failure.
pub(crate) fn parse_mime_type(input: &[u8]) -> Option<MimeType> {
    let mut start = 0;
    while start < input.len() && is_http_whitespace(input[start]) {
        start += 1;
    }
    let input = trim_end_ws(&input[start..]);
    let mut pos = 0;
    while pos < input.len() && input[pos] != b'/' {
        pos += 1;
    }
    let kind = &input[..pos];
    if kind.is_empty() || !kind.iter().all(|&b| is_token_byte(b)) || pos >= input.len() {
        return None;
    }
    pos += 1;
    let sub_start = pos;
    while pos < input.len() && input[pos] != b';' {
        pos += 1;
    }
    let subtype = trim_end_ws(&input[sub_start..pos]);
    if subtype.is_empty() || !subtype.iter().all(|&b| is_token_byte(b)) {
        return None;
    }
    let mut mime = MimeType {
        kind: latin1(kind).to_ascii_lowercase(),
        subtype: latin1(subtype).to_ascii_lowercase(),
        params: Vec::new(),
    };
    while pos < input.len() {
        pos += 1; // past ';'
        while pos < input.len() && is_http_whitespace(input[pos]) {
            pos += 1;
        }
        let name_start = pos;
        while pos < input.len() && input[pos] != b';' && input[pos] != b'=' {
            pos += 1;
        }
        let name = latin1(&input[name_start..pos]).to_ascii_lowercase();
        if pos < input.len() {
            if input[pos] == b';' {
                continue;
            }
            pos += 1; // past '='
        }
        if pos >= input.len() {
            break;
        }
        let value = if input[pos] == b'"' {
            let v = collect_quoted(input, &mut pos);
            while pos < input.len() && input[pos] != b';' {
                pos += 1;
            }
            v
        } else {
            let v_start = pos;
            while pos < input.len() && input[pos] != b';' {
                pos += 1;
            }
            let v = trim_end_ws(&input[v_start..pos]).to_vec();
            if v.is_empty() {
                continue;
            }
            v
        };
        if !name.is_empty()
            && name.bytes().all(is_token_byte)
            && value.iter().all(|&b| is_quoted_string_token_byte(b))
            && !mime.params.iter().any(|(n, _)| *n == name)
        {
            mime.params.push((name, latin1(&value)));
        }
    }
    Some(mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn essence(s: &str) -> Option<String> {
        parse_mime_type(s.as_bytes()).map(|m| m.essence())
    }

    #[test]
    fn parses_essence() {
        assert_eq!(essence("text/plain").as_deref(), Some("text/plain"));
        assert_eq!(
            essence("  Text/PLAIN ;charset=UTF-8 ").as_deref(),
            Some("text/plain")
        );
        assert_eq!(essence("text/plain;").as_deref(), Some("text/plain"));
        assert_eq!(
            essence("multipart/form-data; boundary=x").as_deref(),
            Some("multipart/form-data")
        );
    }

    #[test]
    fn failures() {
        for bad in [
            "",
            "text",
            "text/",
            "/plain",
            "text /plain",
            "text/pl ain",
            "text/plain, text/html",
            "te(xt/plain",
        ] {
            assert_eq!(essence(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parameters_never_fail() {
        let m =
            parse_mime_type(br#"text/plain;a="x\"y";a=dup;b;=c;d=;e= f ;charset=utf-8"#).unwrap();
        assert_eq!(m.essence(), "text/plain");
        assert_eq!(
            m.params,
            vec![
                ("a".to_owned(), "x\"y".to_owned()),
                ("e".to_owned(), " f".to_owned()),
                ("charset".to_owned(), "utf-8".to_owned())
            ]
        );
        let m = parse_mime_type(b"text/plain;x=\"unterminated\\").unwrap();
        assert_eq!(
            m.params,
            vec![("x".to_owned(), "unterminated\\".to_owned())]
        );
    }
}
