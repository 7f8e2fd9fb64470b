//! Guide: "Advanced CORS Scenarios" › "1. Handling Credentials".
//!
//! ```text
//! cargo run --example fastapi_credentials       # PORT=8000 by default
//! curl -i -X OPTIONS http://127.0.0.1:8000/api/users -H 'Origin: http://localhost:3000' \
//!   -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: Authorization'
//! ```
//!
//! Credentials need listed origins (`*` is a `ConfigError`). `allow_methods=["*"]` and
//! `allow_headers=["*"]` with credentials become "any method / any header": the preflight is
//! answered with the method and header names it asked for, since browsers read a literal `*` as
//! a name when credentials are on (and never let `*` cover `Authorization`).

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// Specific origins, credentials, any method and header.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000", "https://myapp.com"])
        .allow_credentials(true)
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
