//! Guide: "CORS in Django" › "Custom CORS Middleware" — origin patterns and logging, written
//! as a middleware class.
//!
//! ```text
//! cargo run --example django_middleware         # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/public/ -H 'Origin: http://localhost:4200'
//! ```
//!
//! `CustomCorsMiddleware` becomes a policy with the class's two regexes (matched as a whole:
//! the guide's `re.match` already has `^…$`, so no prefix hole here) and the static headers it
//! writes, plus the class's logging as an axum middleware. Differences: the layer answers
//! preflights itself, sends `Allow-Methods` / `Allow-Headers` / `Max-Age` only on preflights,
//! and adds `Vary`, which the class never sets (so a shared cache could serve one origin's
//! answer to another).

#[path = "shared/django_view.rs"]
mod django_view;
#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `ALLOWED_ORIGIN_PATTERNS`.
pub const ALLOWED_ORIGIN_PATTERNS: [&str; 2] =
    [r"^https://.*\.myapp\.com$", r"^http://localhost:\d+$"];

/// What `process_response` writes for an allowed origin.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    ALLOWED_ORIGIN_PATTERNS
        .iter()
        .fold(CorsPolicy::builder(), |b, re| b.allow_origin_regex(re))
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE", "OPTIONS"])
        .allow_headers(["Content-Type", "Authorization"])
        .max_age(Duration::from_secs(600))
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    Ok(django_view::routes()
        .layer(CorsLayer::new(policy()?))
        .layer(middleware::from_fn(log_cors)))
}

/// `process_request` / `process_response`'s logging.
async fn log_cors(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        tracing::info!("CORS request from: {origin:?}");
        tracing::info!("Method: {}", request.method());
        tracing::info!("Path: {}", request.uri().path());
    }
    let response = next.run(request).await;
    if let Some(origin) = &origin {
        if response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        {
            tracing::info!("CORS headers added for origin: {origin:?}");
        }
    }
    response
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
