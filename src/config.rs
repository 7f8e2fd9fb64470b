//! Configuration from files and the environment (feature `serde`).
//!
//! [`CorsConfig`] is plain data: deserialize it from any serde format, or read it from the
//! variables the Python libraries use (`CORS_ORIGINS`, `CORS_ALLOW_CREDENTIALS`, ...). Either way
//! it becomes a [`CorsPolicy`] through the same validated builder, and an error names the field
//! or the variable it came from.
//!
//! ```
//! use tower_cors::config::CorsConfig;
//!
//! let config: CorsConfig = serde_json::from_str(r#"{
//!     "allow_origins": ["https://app.example.com", "https://*.example.org"],
//!     "allow_credentials": true,
//!     "allow_methods": ["GET", "POST"],
//!     "max_age": 600
//! }"#)?;
//! let policy = config.build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Wildcard};
use crate::policy::{CorsPolicy, CorsPolicyBuilder};

/// A CORS configuration as data. Every field is optional in a file; the defaults are the
/// builder's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins and patterns (see [`CorsPolicyBuilder::allow_origins`]).
    #[serde(alias = "origins", alias = "allowed_origins")]
    pub allow_origins: Vec<String>,
    /// Origin regexes, always matched as a whole.
    #[serde(alias = "allowed_origin_regexes")]
    pub allow_origin_regexes: Vec<String>,
    /// Any origin (`Access-Control-Allow-Origin: *`).
    pub allow_all_origins: bool,
    /// `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// Methods a preflight may ask for; `None` leaves only the safelisted ones. `*` allows any
    /// method (answered with the requested one, so it also works with credentials).
    pub allow_methods: Option<Vec<String>>,
    /// Request headers a preflight may ask for; `None` leaves only the safelisted ones. `*`
    /// allows any header (answered with the requested names, `Authorization` included).
    pub allow_headers: Option<Vec<String>>,
    /// Response headers scripts may read.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`, in seconds.
    #[serde(alias = "preflight_max_age")]
    pub max_age: Option<u64>,
    /// Answer Private Network Access preflights.
    pub allow_private_network: bool,
    /// For each field read from the environment, the variable it was read from (filled by
    /// [`with_env`](Self::with_env)), so that errors name the variable a user actually set.
    #[serde(skip)]
    pub env_sources: BTreeMap<String, String>,
}

/// A variable that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    /// The variable's name.
    pub variable: String,
    /// Its value (lossily decoded if it was not UTF-8).
    pub value: String,
    /// What was expected instead.
    pub expected: &'static str,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?}: expected {}",
            self.variable, self.value, self.expected
        )
    }
}

impl std::error::Error for EnvError {}

const LIST: &str = "a comma-separated list (`a, b`) or a JSON array of strings (`[\"a\", \"b\"]`)";
const BOOL: &str = "a boolean: true, false, 1, 0, yes, no, on or off";
const SECONDS: &str = "a whole number of seconds, like `600`";
const ONE_OF_TWO: &str = "only one of the two names to be set";

/// Parses one variable's text into its field, or says what was expected.
type Setter = fn(&mut CorsConfig, &str) -> Result<(), &'static str>;

fn list(value: &str) -> Result<Vec<String>, &'static str> {
    parse_list(value).ok_or(LIST)
}

fn boolean(value: &str) -> Result<bool, &'static str> {
    parse_bool(value).ok_or(BOOL)
}

/// The fields, the variable names that set them (after the prefix), and how each is set.
const VARIABLES: [(&str, &[&str], Setter); 9] = [
    ("allow_origins", &["ORIGINS", "ALLOWED_ORIGINS"], |c, v| {
        c.allow_origins = list(v)?;
        Ok(())
    }),
    (
        "allow_origin_regexes",
        &["ALLOWED_ORIGIN_REGEXES"],
        |c, v| {
            c.allow_origin_regexes = list(v)?;
            Ok(())
        },
    ),
    ("allow_all_origins", &["ALLOW_ALL_ORIGINS"], |c, v| {
        c.allow_all_origins = boolean(v)?;
        Ok(())
    }),
    ("allow_credentials", &["ALLOW_CREDENTIALS"], |c, v| {
        c.allow_credentials = boolean(v)?;
        Ok(())
    }),
    ("allow_methods", &["ALLOW_METHODS"], |c, v| {
        c.allow_methods = Some(list(v)?);
        Ok(())
    }),
    ("allow_headers", &["ALLOW_HEADERS"], |c, v| {
        c.allow_headers = Some(list(v)?);
        Ok(())
    }),
    ("expose_headers", &["EXPOSE_HEADERS"], |c, v| {
        c.expose_headers = list(v)?;
        Ok(())
    }),
    ("max_age", &["MAX_AGE", "PREFLIGHT_MAX_AGE"], |c, v| {
        c.max_age = Some(v.trim().parse().map_err(|_| SECONDS)?);
        Ok(())
    }),
    (
        "allow_private_network",
        &["ALLOW_PRIVATE_NETWORK"],
        |c, v| {
            c.allow_private_network = boolean(v)?;
            Ok(())
        },
    ),
];

fn parse_list(value: &str) -> Option<Vec<String>> {
    let trimmed = value.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(trimmed).ok();
    }
    Some(
        trimmed
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl CorsConfig {
    /// A configuration from the `CORS_*` variables of the process environment, over the
    /// defaults. Same as `CorsConfig::default().with_env()`.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::default().with_env()
    }

    /// Overrides the fields of `self` with the `CORS_*` variables that are set: write the
    /// application's defaults as a `CorsConfig`, then let the environment change them, as
    /// pydantic's `BaseSettings` does. See [`with_env_prefix`](Self::with_env_prefix).
    pub fn with_env(self) -> Result<Self, EnvError> {
        self.with_env_prefix("CORS_")
    }

    /// Like [`with_env`](Self::with_env) with another prefix (`"MYAPP_CORS_"` reads
    /// `MYAPP_CORS_ORIGINS`).
    ///
    /// | variable (after the prefix) | field | value |
    /// |---|---|---|
    /// | `ORIGINS` or `ALLOWED_ORIGINS` | `allow_origins` | list |
    /// | `ALLOWED_ORIGIN_REGEXES` | `allow_origin_regexes` | list |
    /// | `ALLOW_ALL_ORIGINS` | `allow_all_origins` | boolean |
    /// | `ALLOW_CREDENTIALS` | `allow_credentials` | boolean |
    /// | `ALLOW_METHODS` | `allow_methods` | list |
    /// | `ALLOW_HEADERS` | `allow_headers` | list |
    /// | `EXPOSE_HEADERS` | `expose_headers` | list |
    /// | `MAX_AGE` or `PREFLIGHT_MAX_AGE` | `max_age` | seconds |
    /// | `ALLOW_PRIVATE_NETWORK` | `allow_private_network` | boolean |
    ///
    /// A list is comma-separated (`a, b`) or a JSON array (`["a", "b"]`), as pydantic-settings
    /// accepts; a boolean is `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`.
    pub fn with_env_prefix(self, prefix: &str) -> Result<Self, EnvError> {
        self.with_vars(prefix, |name| match std::env::var(name) {
            Ok(v) => Some(Ok(v)),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(raw)) => Some(Err(raw.to_string_lossy().into())),
        })
    }

    /// Like [`with_env_prefix`](Self::with_env_prefix), reading variables from `lookup` instead
    /// of the process environment (a `.env` file, a test). `lookup` returns `None` for an unset
    /// variable and `Some(Err(text))` for one that is not valid text.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use tower_cors::config::CorsConfig;
    ///
    /// let vars = HashMap::from([
    ///     ("CORS_ORIGINS", r#"["https://a.example", "https://b.example"]"#),
    ///     ("CORS_ALLOW_CREDENTIALS", "true"),
    /// ]);
    /// let config = CorsConfig::default()
    ///     .with_vars("CORS_", |name| vars.get(name).map(|v| Ok(v.to_string())))?;
    /// assert_eq!(config.allow_origins, ["https://a.example", "https://b.example"]);
    /// assert!(config.allow_credentials);
    /// # Ok::<(), tower_cors::config::EnvError>(())
    /// ```
    pub fn with_vars<F>(mut self, prefix: &str, lookup: F) -> Result<Self, EnvError>
    where
        F: Fn(&str) -> Option<Result<String, String>>,
    {
        for (field, names, set) in &VARIABLES {
            let mut found: Option<(String, String)> = None;
            for name in *names {
                let variable = format!("{prefix}{name}");
                let Some(value) = lookup(&variable) else {
                    continue;
                };
                let value = value.map_err(|value| EnvError {
                    variable: variable.clone(),
                    value,
                    expected: "valid UTF-8 text",
                })?;
                if let Some((first, _)) = &found {
                    return Err(EnvError {
                        variable: format!("{first} and {variable}"),
                        value,
                        expected: ONE_OF_TWO,
                    });
                }
                found = Some((variable, value));
            }
            let Some((variable, value)) = found else {
                continue;
            };
            set(&mut self, &value).map_err(|expected| EnvError {
                variable: variable.clone(),
                value: value.clone(),
                expected,
            })?;
            self.env_sources.insert((*field).to_owned(), variable);
        }
        Ok(self)
    }

    /// A builder holding this configuration, to add what data cannot say (predicates, an
    /// [`OriginAllowlist`](crate::OriginAllowlist), statuses) before building.
    pub fn builder(&self) -> CorsPolicyBuilder {
        let mut b = CorsPolicy::builder()
            .allow_origins(&self.allow_origins)
            .allow_credentials(self.allow_credentials)
            .expose_headers(&self.expose_headers)
            .allow_private_network(self.allow_private_network);
        for regex in &self.allow_origin_regexes {
            b = b.allow_origin_regex(regex);
        }
        if self.allow_all_origins {
            b = b.allow_any_origin();
        }
        // In data, `*` says "any": it becomes the builder's echoing `allow_any_*`, which also
        // works with credentials, rather than a literal `*` that browsers would not honour.
        let is_star = |s: &&String| s.trim() == "*";
        if let Some(methods) = &self.allow_methods {
            b = b.allow_methods(methods.iter().filter(|m| !is_star(m)));
            if methods.iter().any(|m| is_star(&m)) {
                b = b.allow_any_method();
            }
        }
        if let Some(headers) = &self.allow_headers {
            b = b.allow_headers(headers.iter().filter(|h| !is_star(h)));
            if headers.iter().any(|h| is_star(&h)) {
                b = b.allow_any_header();
            }
        }
        if let Some(secs) = self.max_age {
            b = b.max_age(Duration::from_secs(secs));
        }
        b
    }

    /// Builds the policy. An error names the field, or the variable it was read from.
    ///
    /// ```
    /// use tower_cors::config::CorsConfig;
    ///
    /// let config = CorsConfig {
    ///     allow_origins: vec!["http://localhost:3000/".into(), "http://localhost:3000/api".into()],
    ///     ..CorsConfig::default()
    /// };
    /// assert_eq!(
    ///     config.build().unwrap_err().to_string(),
    ///     "allow_origins: `http://localhost:3000/api` is not an origin: an origin has no path; \
    ///      did you mean `http://localhost:3000`?"
    /// );
    /// ```
    pub fn build(&self) -> Result<CorsPolicy, ConfigError> {
        self.builder().build().map_err(|error| {
            let field = field_of(&error);
            let setting = self
                .env_sources
                .get(field)
                .cloned()
                .unwrap_or_else(|| field.to_owned());
            ConfigError::Setting {
                setting,
                error: Box::new(error),
            }
        })
    }
}

/// The configuration field a builder error is about.
fn field_of(error: &ConfigError) -> &'static str {
    match error {
        ConfigError::InvalidRegex { .. } => "allow_origin_regexes",
        ConfigError::InvalidHeaderName { setting, .. } => setting,
        ConfigError::InvalidMethod { .. } => "allow_methods",
        ConfigError::WildcardWithCredentials { wildcard } => match wildcard {
            Wildcard::Origins => "allow_credentials",
            Wildcard::Methods => "allow_methods",
            Wildcard::Headers => "allow_headers",
            Wildcard::ExposeHeaders => "expose_headers",
        },
        _ => "allow_origins",
    }
}

/// The deployment profile, chosen by the `ENVIRONMENT` variable as in the guide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `development` (also the default when `ENVIRONMENT` is unset).
    Development,
    /// `staging`.
    Staging,
    /// `production`.
    Production,
}

impl Profile {
    /// Reads `ENVIRONMENT`: `development` (or unset), `staging` or `production`, in any case.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::parse(std::env::var("ENVIRONMENT").ok().as_deref())
    }

    /// Parses the value of `ENVIRONMENT` (`None` when unset).
    ///
    /// ```
    /// use tower_cors::config::Profile;
    ///
    /// assert_eq!(Profile::parse(None)?, Profile::Development);
    /// assert_eq!(Profile::parse(Some("Production"))?, Profile::Production);
    /// assert!(Profile::parse(Some("prod")).is_err());
    /// # Ok::<(), tower_cors::config::EnvError>(())
    /// ```
    pub fn parse(value: Option<&str>) -> Result<Self, EnvError> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("development") => Ok(Profile::Development),
            Some("staging") => Ok(Profile::Staging),
            Some("production") => Ok(Profile::Production),
            Some(_) => Err(EnvError {
                variable: "ENVIRONMENT".into(),
                value: value.unwrap_or_default().into(),
                expected: "development, staging or production",
            }),
        }
    }
}

impl CorsConfig {
    /// The development profile: pages served from this machine, on any port (`localhost`,
    /// `127.0.0.1` and `[::1]`, over http), with credentials, any method and any header. Safer
    /// than the guide's "allow all origins in development": a page on the web cannot reach a
    /// developer's server through it.
    ///
    /// ```
    /// use tower_cors::config::CorsConfig;
    ///
    /// let config = CorsConfig::development();
    /// assert_eq!(config.allow_origins, ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]);
    /// let policy = config.build()?;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn development() -> Self {
        CorsConfig {
            allow_origins: ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]
                .map(String::from)
                .to_vec(),
            allow_credentials: true,
            allow_methods: Some(vec!["*".into()]),
            allow_headers: Some(vec!["*".into()]),
            ..CorsConfig::default()
        }
    }
}
