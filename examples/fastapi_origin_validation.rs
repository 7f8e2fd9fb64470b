//! Guide: "Security Considerations" › "2. Validate Origins Carefully" — strict origin
//! validation.
//!
//! ```text
//! cargo run --example fastapi_origin_validation # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://app.myapp.com'
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: http://localhost:3000.evil.net' # refused
//! ```
//!
//! `is_origin_safe` parses the origin with `urlparse` and compares the host name. The same
//! rules as origin patterns, which tower-cors parses when the policy is built: `*.myapp.com` on
//! a label boundary, the three listed hosts, and `localhost` / `127.0.0.1`, each on any port,
//! `http` or `https`. `urlparse` never validates the port, so the guide's function also accepts
//! `http://localhost:3000.evil.net` (host `localhost`, "port" `3000.evil.net`), `https://.myapp.com`
//! and origins with a path; the patterns do not. The guide's middleware answers no preflight
//! (the app's 405 goes out); the layer answers them, allowing GET, POST, PUT, DELETE and
//! Content-Type / Authorization as the guide's secure configuration does.

#[path = "shared/serve.rs"]
mod serve;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `allowed_domains` (and their subdomains) plus localhost, each for http and https on any
/// port: `scheme://host:*` is one host on any port, `scheme://*.myapp.com:*` every subdomain.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    let mut origins = Vec::new();
    for scheme in ["http", "https"] {
        for host in ["myapp.com", "*.myapp.com", "localhost", "127.0.0.1"] {
            origins.push(format!("{scheme}://{host}:*"));
        }
    }
    CorsPolicy::builder()
        .allow_origins(origins)
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type", "Authorization"])
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
