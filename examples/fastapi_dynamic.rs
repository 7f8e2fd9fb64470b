//! Guide: "CORS in FastAPI" › "Dynamic CORS Origins" — origin patterns instead of a list.
//!
//! ```text
//! cargo run --example fastapi_dynamic           # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/data -H 'Origin: https://staging.myapp.com'
//! curl -i http://127.0.0.1:8000/api/data -H 'Origin: https://x.myapp.com.evil.net'   # refused
//! ```
//!
//! The guide's hand-written middleware matches `ALLOWED_ORIGIN_PATTERNS` with `re.match`, which
//! anchors only at the start: `https://x.myapp.com.evil.net` and `http://localhost:3000.evil.net`
//! pass. Here the same regexes are always matched as a whole, and only against well-formed
//! origins; the layer answers preflights (204, or 403 for other origins) where the guide's code
//! answers 200 `{}` to allowed origins and lets the others fall through to a 405.

#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `ALLOWED_ORIGIN_PATTERNS`.
pub const ALLOWED_ORIGIN_PATTERNS: [&str; 2] = [
    r"https://.*\.myapp\.com", // Any subdomain of myapp.com
    r"http://localhost:\d+",   // Any localhost port
];

/// The headers the guide's middleware writes, as a policy.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    ALLOWED_ORIGIN_PATTERNS
        .iter()
        .fold(CorsPolicy::builder(), |b, re| b.allow_origin_regex(re))
        .allow_methods(["GET", "POST", "PUT", "DELETE", "OPTIONS"])
        .allow_headers(["Content-Type", "Authorization"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/data", get(get_data))
        .layer(CorsLayer::new(policy()?)))
}

async fn get_data() -> Json<Value> {
    Json(json!({ "data": "This endpoint uses dynamic CORS" }))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
