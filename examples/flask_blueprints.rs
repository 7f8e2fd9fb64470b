//! Guide: "CORS in Flask" › "Flask CORS with Blueprints" — two API versions, two policies.
//!
//! ```text
//! cargo run --example flask_blueprints          # PORT=5000 by default
//! curl -i http://127.0.0.1:5000/api/v1/users -H 'Origin: http://localhost:3000'
//! curl -i http://127.0.0.1:5000/api/v2/users -H 'Origin: https://myapp.com'
//! ```
//!
//! `CORS(api_v1, resources={r"/*": ...})` on a blueprint mounted at `/api/v1` becomes a
//! `/api/v1/*` scope of a [`ScopedPolicies`]; the rest of each `cors_config` entry is filled in
//! with flask-cors's defaults (any request header, no credentials unless asked). (As the guide
//! writes it, Flask 3.1 refuses to start: `CORS(blueprint)` after `register_blueprint` raises
//! an `AssertionError`.)

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy, ScopedPolicies};

/// `cors_config["api_v1"]`.
pub fn api_v1_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000"])
        .allow_methods(["GET", "POST"])
        .allow_any_header()
        .build()
}

/// `cors_config["api_v2"]`.
pub fn api_v2_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["https://myapp.com"])
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_any_header()
        .allow_credentials(true)
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    let api_v1 = Router::new().route("/users", get(get_users_v1));
    let api_v2 = Router::new().route("/users", get(get_users_v2));
    let scoped = ScopedPolicies::builder()
        .path("/api/v1/*", api_v1_policy()?)
        .path("/api/v2/*", api_v2_policy()?)
        .build()?;
    Ok(Router::new()
        .nest("/api/v1", api_v1)
        .nest("/api/v2", api_v2)
        .layer(CorsLayer::scoped(scoped)))
}

async fn get_users_v1() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John", "version": "v1" }]))
}

async fn get_users_v2() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John", "version": "v2" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 5000).await
}
