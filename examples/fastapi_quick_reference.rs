//! Guide: "Summary" › "Quick Reference" — the minimal secure CORS setup.
//!
//! ```text
//! cargo run --example fastapi_quick_reference   # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://myapp.com'
//! ```
//!
//! `hyper_plain` serves the same policy without axum.

#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// Minimal secure CORS setup.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["https://myapp.com"]) // Specific origins
        .allow_credentials(true) // Enable credentials
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type", "Authorization"])
        .expose_headers(["X-Total-Count"]) // Custom headers
        .max_age(Duration::from_secs(600)) // Cache preflight
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .layer(CorsLayer::new(policy()?)))
}

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
