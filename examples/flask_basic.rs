//! Guide: "CORS in Flask" › "Basic CORS Setup" — `CORS(app)`, CORS for every route with the
//! flask-cors defaults.
//!
//! ```text
//! cargo run --example flask_basic               # PORT=5000 by default
//! curl -i http://127.0.0.1:5000/api/users -H 'Origin: https://example.org'
//! ```
//!
//! flask-cors's defaults are: every origin (reflected back, since `send_wildcard=False`), the
//! methods GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE, every request header, no credentials,
//! no max age. Here every origin is answered `Access-Control-Allow-Origin: *`, which is what
//! "every origin without credentials" means to a browser (and needs no `Vary: Origin`), and
//! malformed origins (`https://myapp.com]`) are not echoed back.

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// flask-cors's defaults.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_any_origin()
        .allow_methods(["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"])
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
    serve::serve(app()?, 5000).await
}
