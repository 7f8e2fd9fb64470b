//! Guide: "Advanced CORS Scenarios" › "3. Conditional CORS" — CORS only on `/api/*` routes.
//!
//! ```text
//! cargo run --example fastapi_conditional       # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://myapp.com'   # CORS headers
//! curl -i http://127.0.0.1:8000/health -H 'Origin: https://myapp.com'      # none
//! ```
//!
//! The guide's `if request.url.path.startswith("/api/")` is a path scope: a regex scope
//! `/api/.*` of [`ScopedPolicies`], so `/api` and `/apiary` stay outside as they do there. The
//! guide's middleware answers no preflight (the app's 405 goes out, with `Allow-Origin` for
//! listed origins); the layer answers them, allowing the methods and headers the guide's other
//! examples use (GET, POST, PUT, DELETE; Content-Type, Authorization) — an API that accepts
//! credentials and JSON needs them.

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy, ScopedPolicies};

/// `allowed_origins` with the credentials the guide's middleware sends.
pub fn api_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000", "https://myapp.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type", "Authorization"])
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    let scoped = ScopedPolicies::builder()
        .path_regex("/api/.*", api_policy()?)
        .build()?;
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
        .layer(CorsLayer::scoped(scoped)))
}

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
