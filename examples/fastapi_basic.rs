//! Guide: "CORS in FastAPI" › "Basic CORS Setup".
//!
//! ```text
//! cargo run --example fastapi_basic             # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://example.org'
//! ```
//!
//! The guide writes `allow_origins=["*"]` with `allow_credentials=True`. Browsers never accept
//! `Access-Control-Allow-Origin: *` on a credentialed request, so Starlette silently reflects
//! every origin instead — any site can then read your users' authenticated responses. tower-cors
//! refuses that combination with a `ConfigError` (see `fastapi_secure`), so this example keeps
//! what "allow all" can safely mean: any origin, method and header, without credentials.

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `allow_origins=["*"]`, `allow_methods=["*"]`, `allow_headers=["*"]`, no credentials.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_any_origin()
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

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
