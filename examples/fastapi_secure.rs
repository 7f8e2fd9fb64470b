//! Guide: "Security Considerations" › "1. Never Use Wildcards in Production" — the refused
//! configuration, and its fix.
//!
//! ```text
//! cargo run --example fastapi_secure            # prints the ConfigError, then serves the fix
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://myapp.com'
//! ```
//!
//! The guide's "❌ DANGEROUS" block (`allow_origins=["*"]` with `allow_credentials=True`) is
//! accepted by Starlette, which then reflects every origin with credentials. tower-cors refuses
//! it when the policy is built, with a `ConfigError` that says why and what to write instead;
//! the "✅ SECURE" block builds.

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// ❌ DANGEROUS — `allow_origins=["*"]` + `allow_credentials=True`: always a `ConfigError`.
pub fn dangerous_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["*"])
        .allow_credentials(true)
        .allow_methods(["*"])
        .allow_headers(["*"])
        .build()
}

/// ✅ SECURE — specific origins.
pub fn secure_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["https://myapp.com", "https://www.myapp.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type", "Authorization"])
        .build()
}

/// The application, exactly as `main` serves it (the secure policy).
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .layer(CorsLayer::new(secure_policy()?)))
}

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    match dangerous_policy() {
        Err(e) => {
            tracing::warn!("the DANGEROUS configuration is refused: {e}");
            eprintln!("❌ DANGEROUS configuration refused: {e}");
        }
        Ok(_) => return Err("the wildcard-with-credentials policy should not build".into()),
    }
    eprintln!("✅ SECURE configuration: serving it");
    serve::serve(app()?, 8000).await
}
