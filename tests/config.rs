//! Configuration from TOML, JSON and the environment, through the same validated builder.

use std::collections::HashMap;

use http::Request;
use tower_cors::config::{CorsConfig, EnvError, Profile};
use tower_cors::ConfigError;

fn vars<'a>(
    pairs: &'a [(&'a str, &'a str)],
) -> impl Fn(&str) -> Option<Result<String, String>> + 'a {
    let map: HashMap<_, _> = pairs.iter().copied().collect();
    move |name| map.get(name).map(|v| Ok((*v).to_owned()))
}

fn allowed(config: &CorsConfig, origin: &str) -> bool {
    let policy = config.build().unwrap();
    let (parts, ()) = Request::get("/")
        .header("origin", origin)
        .body(())
        .unwrap()
        .into_parts();
    policy.evaluate(&parts).is_allowed()
}

fn full() -> CorsConfig {
    CorsConfig {
        allow_origins: vec!["https://myapp.com".into(), "https://*.myapp.com".into()],
        allow_origin_regexes: vec![r"http://localhost:\d+".into()],
        allow_credentials: true,
        allow_methods: Some(vec!["GET".into(), "POST".into()]),
        allow_headers: Some(vec!["content-type".into()]),
        expose_headers: vec!["x-request-id".into()],
        max_age: Some(600),
        allow_private_network: true,
        ..CorsConfig::default()
    }
}

#[test]
fn round_trips_through_toml_and_json() {
    let config = full();
    let toml_text = toml::to_string(&config).unwrap();
    assert_eq!(toml::from_str::<CorsConfig>(&toml_text).unwrap(), config);
    let json_text = serde_json::to_string(&config).unwrap();
    assert_eq!(
        serde_json::from_str::<CorsConfig>(&json_text).unwrap(),
        config
    );
}

#[test]
fn reads_a_hand_written_toml_file_with_the_python_names() {
    let config: CorsConfig = toml::from_str(
        r#"
        allowed_origins = ["https://myapp.com"]
        allowed_origin_regexes = ['^https://.*\.myapp\.com$']
        allow_credentials = true
        preflight_max_age = 600
        "#,
    )
    .unwrap();
    assert_eq!(config.allow_origins, ["https://myapp.com"]);
    assert_eq!(config.max_age, Some(600));
    assert!(allowed(&config, "https://app.myapp.com"));
    assert!(!allowed(&config, "https://app.myapp.com.evil.net"));
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let err = toml::from_str::<CorsConfig>("allow_origin = [\"https://a.example\"]").unwrap_err();
    assert!(
        err.to_string().contains("unknown field `allow_origin`"),
        "{err}"
    );
}

#[test]
fn errors_name_the_field() {
    let config = CorsConfig {
        allow_origins: vec!["https://a.example".into()],
        expose_headers: vec!["x bad".into()],
        ..CorsConfig::default()
    };
    let err = config.build().unwrap_err();
    assert!(matches!(&err, ConfigError::Setting { setting, .. } if setting == "expose_headers"));
    assert!(
        err.to_string()
            .starts_with("expose_headers: `x bad` is not a header name"),
        "{err}"
    );

    let star_credentials = CorsConfig {
        allow_origins: vec!["*".into()],
        allow_credentials: true,
        ..CorsConfig::default()
    };
    assert!(star_credentials
        .build()
        .unwrap_err()
        .to_string()
        .starts_with(
            "allow_credentials: allow_credentials(true) cannot be combined with any origin"
        ));
}

#[test]
fn every_environment_variable() {
    let config = CorsConfig::default()
        .with_vars(
            "CORS_",
            vars(&[
                ("CORS_ORIGINS", "https://a.example, https://b.example"),
                (
                    "CORS_ALLOWED_ORIGIN_REGEXES",
                    r#"["https://[a-z]+\\.c\\.example"]"#,
                ),
                ("CORS_ALLOW_ALL_ORIGINS", "no"),
                ("CORS_ALLOW_CREDENTIALS", "TRUE"),
                ("CORS_ALLOW_METHODS", "GET,PUT"),
                ("CORS_ALLOW_HEADERS", "Content-Type, Authorization"),
                ("CORS_EXPOSE_HEADERS", "X-Request-ID"),
                ("CORS_MAX_AGE", "600"),
                ("CORS_ALLOW_PRIVATE_NETWORK", "1"),
            ]),
        )
        .unwrap();
    assert_eq!(
        config.allow_origins,
        ["https://a.example", "https://b.example"]
    );
    assert_eq!(config.allow_origin_regexes, [r"https://[a-z]+\.c\.example"]);
    assert!(!config.allow_all_origins);
    assert!(config.allow_credentials);
    assert_eq!(
        config.allow_methods.as_deref(),
        Some(&["GET".to_owned(), "PUT".to_owned()][..])
    );
    assert_eq!(
        config.allow_headers.as_deref(),
        Some(&["Content-Type".to_owned(), "Authorization".to_owned()][..])
    );
    assert_eq!(config.expose_headers, ["X-Request-ID"]);
    assert_eq!(config.max_age, Some(600));
    assert!(config.allow_private_network);
    assert!(allowed(&config, "https://xyz.c.example"));

    let aliases = CorsConfig::default()
        .with_vars(
            "CORS_",
            vars(&[
                ("CORS_ALLOWED_ORIGINS", "https://a.example"),
                ("CORS_PREFLIGHT_MAX_AGE", "86400"),
                ("CORS_ALLOW_ALL_ORIGINS", "on"),
            ]),
        )
        .unwrap();
    assert_eq!(aliases.allow_origins, ["https://a.example"]);
    assert_eq!(aliases.max_age, Some(86400));
    assert!(aliases.allow_all_origins);
}

#[test]
fn environment_overrides_defaults_and_honours_a_prefix() {
    let defaults = full();
    let config = defaults
        .clone()
        .with_vars(
            "MYAPP_CORS_",
            vars(&[("MYAPP_CORS_MAX_AGE", "60"), ("CORS_MAX_AGE", "1")]),
        )
        .unwrap();
    assert_eq!(config.max_age, Some(60));
    assert_eq!(config.allow_origins, defaults.allow_origins);
}

#[test]
fn environment_errors_name_the_variable_and_value() {
    for (pairs, want) in [
        (
            vec![("CORS_MAX_AGE", "ten")],
            EnvError {
                variable: "CORS_MAX_AGE".into(),
                value: "ten".into(),
                expected: "a whole number of seconds, like `600`",
            },
        ),
        (
            vec![("CORS_ALLOW_CREDENTIALS", "maybe")],
            EnvError {
                variable: "CORS_ALLOW_CREDENTIALS".into(),
                value: "maybe".into(),
                expected: "a boolean: true, false, 1, 0, yes, no, on or off",
            },
        ),
        (
            vec![("CORS_ORIGINS", "[\"https://a.example\", 3]")],
            EnvError {
                variable: "CORS_ORIGINS".into(),
                value: "[\"https://a.example\", 3]".into(),
                expected:
                    "a comma-separated list (`a, b`) or a JSON array of strings (`[\"a\", \"b\"]`)",
            },
        ),
        (
            vec![
                ("CORS_ORIGINS", "https://a.example"),
                ("CORS_ALLOWED_ORIGINS", "https://b.example"),
            ],
            EnvError {
                variable: "CORS_ORIGINS and CORS_ALLOWED_ORIGINS".into(),
                value: "https://b.example".into(),
                expected: "only one of the two names to be set",
            },
        ),
    ] {
        let err = CorsConfig::default()
            .with_vars("CORS_", vars(&pairs))
            .unwrap_err();
        assert_eq!(err, want);
    }
    let err = CorsConfig::default()
        .with_vars("CORS_", |n| {
            (n == "CORS_ORIGINS").then(|| Err("\u{fffd}".to_owned()))
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CORS_ORIGINS=\"\u{fffd}\": expected valid UTF-8 text"
    );
    assert_eq!(
        EnvError {
            variable: "CORS_MAX_AGE".into(),
            value: "ten".into(),
            expected: "a whole number of seconds, like `600`"
        }
        .to_string(),
        "CORS_MAX_AGE=\"ten\": expected a whole number of seconds, like `600`"
    );
}

#[test]
fn build_errors_name_the_variable_a_value_came_from() {
    let config = CorsConfig::default()
        .with_vars(
            "CORS_",
            vars(&[(
                "CORS_ORIGINS",
                "https://myapp.com/, http://localhost:3000/app",
            )]),
        )
        .unwrap();
    assert_eq!(
        config.build().unwrap_err().to_string(),
        "CORS_ORIGINS: `http://localhost:3000/app` is not an origin: an origin has no path; did you mean `http://localhost:3000`?"
    );
}

#[test]
fn star_methods_and_headers_in_data_mean_any_even_with_credentials() {
    let config = CorsConfig {
        allow_origins: vec!["https://a.example".into()],
        allow_credentials: true,
        allow_methods: Some(vec!["*".into()]),
        allow_headers: Some(vec!["*".into()]),
        ..CorsConfig::default()
    };
    let policy = config.build().unwrap();
    let (parts, ()) = Request::options("/")
        .header("origin", "https://a.example")
        .header("access-control-request-method", "PURGE")
        .header("access-control-request-headers", "authorization")
        .body(())
        .unwrap()
        .into_parts();
    let response = policy.respond(&policy.evaluate(&parts));
    assert_eq!(response.headers()["access-control-allow-methods"], "PURGE");
    assert_eq!(
        response.headers()["access-control-allow-headers"],
        "authorization"
    );
}

#[test]
fn profiles_from_environment_and_development_allows_local_origins_on_any_port() {
    assert_eq!(Profile::parse(None).unwrap(), Profile::Development);
    assert_eq!(
        Profile::parse(Some("development")).unwrap(),
        Profile::Development
    );
    assert_eq!(Profile::parse(Some("STAGING")).unwrap(), Profile::Staging);
    assert_eq!(
        Profile::parse(Some(" production ")).unwrap(),
        Profile::Production
    );
    assert_eq!(
        Profile::parse(Some("prod")).unwrap_err().to_string(),
        "ENVIRONMENT=\"prod\": expected development, staging or production"
    );
    let dev = CorsConfig::development();
    for origin in [
        "http://localhost:3000",
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "http://localhost",
    ] {
        assert!(allowed(&dev, origin), "{origin}");
    }
    for origin in [
        "https://localhost:3000",
        "http://localhost.evil.net:3000",
        "http://app.localhost:3000",
        "https://myapp.com",
        "null",
    ] {
        assert!(!allowed(&dev, origin), "{origin}");
    }
}
