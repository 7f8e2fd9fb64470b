//! Guide: "CORS in Django" › "Django Settings Configuration", options 2 and 3 (listed origins
//! and origin regexes: the production path, not `CORS_ALLOW_ALL_ORIGINS`), serving the view of
//! "Django Views with CORS".
//!
//! ```text
//! cargo run --example django_settings           # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/public/ -H 'Origin: https://api.myapp.com'
//! curl -i -X POST http://127.0.0.1:8000/api/public/ -H 'Origin: http://localhost:5173' \
//!   -H 'Content-Type: application/json' -d '{"name": "x"}'
//! ```
//!
//! The regexes are the guide's, but always matched as a whole and only against well-formed
//! origins: django-cors-headers uses `re.match`, and a listed origin there also accepts
//! `https://myapp.com/` (trailing slash) and `https://myapp.com/app`.

#[path = "shared/django_view.rs"]
mod django_view;
#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use axum::Router;
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `CORS_ALLOWED_ORIGINS`, `CORS_ALLOWED_ORIGIN_REGEXES` and the other `CORS_*` settings.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins([
            "http://localhost:3000",
            "http://localhost:8080",
            "https://myapp.com",
            "https://www.myapp.com",
        ])
        .allow_origin_regex(r"^https://.*\.myapp\.com$")
        .allow_origin_regex(r"^http://localhost:\d+$")
        .allow_credentials(true)
        .allow_methods(["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"])
        .allow_headers([
            "accept",
            "accept-encoding",
            "authorization",
            "content-type",
            "dnt",
            "origin",
            "user-agent",
            "x-csrftoken",
            "x-requested-with",
        ])
        .expose_headers(["content-length", "x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
}

/// The application, exactly as `main` serves it: `corsheaders.middleware.CorsMiddleware` "as
/// high as possible", i.e. the outermost layer.
pub fn app() -> Result<Router, ConfigError> {
    Ok(django_view::routes().layer(CorsLayer::new(policy()?)))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
