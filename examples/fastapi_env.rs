//! Guide: "CORS in FastAPI" › "Environment-Based CORS" — the origin list chosen by
//! `ENVIRONMENT` (development, staging, production).
//!
//! ```text
//! cargo run --example fastapi_env                               # development
//! ENVIRONMENT=production cargo run --example fastapi_env
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://myapp.com'
//! ```
//!
//! `Config.get_cors_origins()` becomes [`Profile`] (read from `ENVIRONMENT`, development when
//! unset; a value that is none of the three is an error instead of silently meaning
//! development). `allow_methods=["*"]` / `allow_headers=["*"]` with credentials become "any":
//! answered with the requested method and names, which browsers accept with credentials.

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::config::{CorsConfig, Profile};
use tower_cors::{ConfigError, CorsLayer};

/// `config.get_cors_origins()`.
pub fn cors_origins(profile: Profile) -> Vec<String> {
    let origins: &[&str] = match profile {
        Profile::Production => &["https://myapp.com", "https://www.myapp.com"],
        Profile::Staging => &["https://staging.myapp.com", "https://dev.myapp.com"],
        Profile::Development => &[
            "http://localhost:3000",
            "http://localhost:8080",
            "http://127.0.0.1:3000",
        ],
    };
    origins.iter().map(|s| (*s).to_owned()).collect()
}

/// The middleware's settings for a profile.
pub fn config(profile: Profile) -> CorsConfig {
    CorsConfig {
        allow_origins: cors_origins(profile),
        allow_credentials: true,
        allow_methods: Some(vec!["*".into()]),
        allow_headers: Some(vec!["*".into()]),
        ..CorsConfig::default()
    }
}

/// The application, exactly as `main` serves it, for a profile.
pub fn app(profile: Profile) -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .layer(CorsLayer::new(config(profile).build()?)))
}

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    let profile = Profile::from_env()?;
    tracing::info!(?profile, origins = ?cors_origins(profile), "CORS origins");
    serve::serve(app(profile)?, 8000).await
}
