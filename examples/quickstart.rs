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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

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

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
