//! Guide: "Advanced CORS Scenarios" › "2. Exposing Custom Headers" (X-Total-Count,
//! X-Request-ID, X-RateLimit-*).
//!
//! ```text
//! cargo run --example fastapi_expose_headers    # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: http://localhost:3000'
//! ```
//!
//! Without `Access-Control-Expose-Headers` a script can read only the CORS-safelisted response
//! headers; `response.headers.get('X-Total-Count')` would be `null`.

#[path = "shared/serve.rs"]
mod serve;

use axum::http::HeaderValue;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// One origin, the four exposed headers, any method and header.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000"])
        .expose_headers([
            "X-Total-Count",     // Custom pagination header
            "X-Request-ID",      // Request tracking
            "X-RateLimit-Limit", // Rate limiting
            "X-RateLimit-Remaining",
        ])
        .allow_any_method()
        .allow_any_header()
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .layer(CorsLayer::new(policy()?)))
}

/// Sets the custom headers the frontend reads.
async fn get_users() -> impl IntoResponse {
    let users = json!([{ "id": 1, "name": "John" }]);
    let total = users.as_array().map_or(0, Vec::len);
    (
        [
            ("x-total-count", HeaderValue::from(total)),
            ("x-request-id", HeaderValue::from_static("abc123")),
        ],
        Json(users),
    )
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
