//! The smallest useful server: one API route behind a CORS policy.
//!
//! ```text
//! cargo run --example quickstart
//! curl -i -X OPTIONS http://127.0.0.1:8000/api/hello \
//!   -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: PUT'
//! ```
//!
//! Set `PORT` to listen elsewhere, and `RUST_LOG=tower_cors=debug` to see every decision.

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use tower_cors::{CorsLayer, CorsPolicy};

#[path = "shared/serve.rs"]
mod serve;

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();

    let policy = CorsPolicy::builder()
        .allow_origins(["http://localhost:3000", "https://*.example.com"])
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()?;

    let app = Router::new()
        .route(
            "/api/hello",
            get(|| async { Json(serde_json::json!({ "message": "hello" })) })
                .put(|| async { Json(serde_json::json!({ "updated": true })) }),
        )
        .layer(CorsLayer::new(policy));

    serve::serve(app, 8000).await
}
