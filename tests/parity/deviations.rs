//! The rules of `DEVIATIONS.md`: every ```json block in it is one deviation.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::replay::{Answer, Difference, Scenario};

/// One documented deviation.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub reason: String,
    configs: Vec<String>,
    scenarios: Vec<String>,
    except: Vec<String>,
    fields: Vec<String>,
    python: Vec<String>,
    rust: Vec<String>,
    /// `python:<field>` or `rust:<field>` -> matchers, all of which must hold.
    when: Vec<(String, Vec<String>)>,
}

fn strings(v: &Value, key: &str, id: &str, required: bool) -> Vec<String> {
    match &v[key] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .unwrap_or_else(|| panic!("deviation {id}: `{key}` holds a non-string"))
                    .to_owned()
            })
            .collect(),
        Value::Null if !required => Vec::new(),
        other => panic!("deviation {id}: `{key}` must be a string or a list, not {other}"),
    }
}

/// Parses every ```json block of the file.
pub fn parse(markdown: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("```json\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("unterminated ```json block");
        let v: Value = serde_json::from_str(&body[..end])
            .unwrap_or_else(|e| panic!("DEVIATIONS.md: bad JSON block: {e}\n{}", &body[..end]));
        let id = v["id"].as_str().expect("deviation without id").to_owned();
        let reason = v["reason"].as_str().unwrap_or_default().to_owned();
        assert!(!reason.trim().is_empty(), "deviation {id} has no reason");
        let when = v["when"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, _)| (k.clone(), strings(&v["when"], k, &id, true)))
                    .collect()
            })
            .unwrap_or_default();
        rules.push(Rule {
            configs: strings(&v, "configs", &id, true),
            scenarios: strings(&v, "scenarios", &id, true),
            except: strings(&v, "except", &id, false),
            fields: strings(&v, "fields", &id, true),
            python: strings(&v, "python", &id, true),
            rust: strings(&v, "rust", &id, true),
            when,
            id,
            reason,
        });
        rest = &body[end + 3..];
    }
    let mut seen = BTreeMap::new();
    for r in &rules {
        assert!(
            seen.insert(r.id.clone(), ()).is_none(),
            "deviation id {} used twice",
            r.id
        );
    }
    rules
}

/// `*` matches any run of characters; everything else is literal.
pub fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

/// A comma-separated list as a case-insensitive set.
fn set(v: &str) -> BTreeSet<String> {
    v.split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One matcher against a value: `any`, `absent`, `present`, `origin` (the request's Origin),
/// `!origin` (present, and not the request's Origin), `=text` (exactly), `^text` (starts with),
/// `other+a|b` (a list equal to the other side's list plus the names `a` and `b`, compared as
/// case-insensitive sets).
fn matches(matcher: &str, value: Option<&str>, origin: Option<&str>, other: Option<&str>) -> bool {
    match matcher {
        m if m.starts_with("other+") => match (value, other) {
            (Some(v), Some(o)) => {
                let mut want = set(o);
                want.extend(
                    m["other+".len()..]
                        .split('|')
                        .map(|n| n.to_ascii_lowercase()),
                );
                set(v) == want
            }
            _ => false,
        },
        "any" => true,
        "absent" => value.is_none(),
        "present" => value.is_some(),
        "origin" => value.is_some() && value == origin,
        "!origin" => value.is_some() && value != origin,
        m if m.starts_with('=') => value == Some(&m[1..]),
        m if m.starts_with('^') => value.is_some_and(|v| v.starts_with(&m[1..])),
        m => panic!("unknown matcher `{m}`"),
    }
}

fn any_matches(
    matchers: &[String],
    value: Option<&str>,
    origin: Option<&str>,
    other: Option<&str>,
) -> bool {
    matchers.iter().any(|m| matches(m, value, origin, other))
}

fn field<'a>(scenario: &'a Scenario, answer: &'a Answer, side: &str, name: &str) -> Option<String> {
    match (side, name) {
        ("python", "status") => Some(scenario.status.to_string()),
        ("rust", "status") => Some(answer.status.to_string()),
        ("python", n) => scenario.response_headers.get(n).cloned(),
        ("rust", n) => answer.headers.get(n).cloned(),
        (s, _) => panic!("`when` key must start with python: or rust:, not {s}"),
    }
}

impl Rule {
    pub fn explains(&self, d: &Difference, scenario: &Scenario, answer: &Answer) -> bool {
        let origin = scenario.origin();
        self.configs.iter().any(|c| glob(c, &d.golden))
            && self.scenarios.iter().any(|s| glob(s, &d.scenario))
            && !self.except.iter().any(|s| glob(s, &d.scenario))
            && self.fields.iter().any(|f| glob(f, &d.field))
            && any_matches(&self.python, d.python.as_deref(), origin, d.rust.as_deref())
            && any_matches(&self.rust, d.rust.as_deref(), origin, d.python.as_deref())
            && self.when.iter().all(|(key, ms)| {
                let (side, name) = key.split_once(':').expect("when key side:field");
                let v = field(scenario, answer, side, name);
                any_matches(ms, v.as_deref(), origin, None)
            })
    }
}
