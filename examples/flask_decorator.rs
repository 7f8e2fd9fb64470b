//! Guide: "CORS in Flask" › "Custom CORS Decorator" — a per-route policy written by hand.
//!
//! ```text
//! cargo run --example flask_decorator           # PORT=5000 by default
//! curl -i -X OPTIONS http://127.0.0.1:5000/api/custom -H 'Origin: http://localhost:3000' \
//!   -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: Authorization'
//! ```
//!
//! The decorator becomes a policy layered on the one route (axum's `route_layer`). The guide's
//! decorator gates only `Access-Control-Allow-Origin`: it sends `Allow-Credentials`,
//! `Allow-Methods`, `Allow-Headers` and `Max-Age` to every origin and on every response; the
//! layer sends them only to `http://localhost:3000`, and the preflight-only ones only on
//! preflights.

#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `@custom_cors(origins=['http://localhost:3000'], methods=['GET', 'POST'],
/// allow_headers=['Content-Type', 'Authorization'])` with the decorator's `max_age=600` and its
/// unconditional `Access-Control-Allow-Credentials: true`.
pub fn custom_cors() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000"])
        .allow_methods(["GET", "POST"])
        .allow_headers(["Content-Type", "Authorization"])
        .max_age(Duration::from_secs(600))
        .allow_credentials(true)
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route(
            "/api/custom",
            get(custom_endpoint)
                .post(custom_endpoint)
                .options(|| async { StatusCode::NO_CONTENT }),
        )
        .route_layer(CorsLayer::new(custom_cors()?)))
}

async fn custom_endpoint() -> Json<Value> {
    Json(json!({ "message": "Custom CORS applied" }))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 5000).await
}
