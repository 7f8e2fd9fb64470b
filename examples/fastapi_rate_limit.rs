//! Guide: "Advanced CORS Scenarios" › "4. CORS with Rate Limiting" — a 429 that browsers can
//! read, with `X-RateLimit-*` exposed.
//!
//! ```text
//! cargo run --example fastapi_rate_limit        # PORT=8000 by default
//! for i in $(seq 101); do curl -s -o /dev/null -w '%{http_code} ' \
//!   http://127.0.0.1:8000/api/users -H 'Origin: http://localhost:3000'; done
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: http://localhost:3000'   # 429 + CORS
//! ```
//!
//! The limiter (100 requests an hour per `Origin` value, `unknown` without one) runs *inside*
//! the CORS layer, so its 429 gets the same CORS headers as any other answer. The guide's
//! middleware writes `Access-Control-Allow-Origin: <the request's Origin>` on the 429 itself,
//! which hands the 429 to every origin, `https://evil.com` included, and `unknown` when there is
//! no Origin; here the layer decides, and replaces that header.

#[path = "shared/serve.rs"]
mod serve;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// `RATE_LIMIT` requests per `RATE_WINDOW`.
pub const RATE_LIMIT: usize = 100;
/// One hour.
pub const RATE_WINDOW: Duration = Duration::from_secs(3600);

/// Request times per `Origin` value (`rate_limit_storage`).
#[derive(Clone, Default)]
pub struct RateLimiter {
    storage: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

/// One origin, the rate-limit headers exposed, any method and header.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000"])
        .expose_headers(["X-RateLimit-Limit", "X-RateLimit-Remaining"])
        .allow_any_method()
        .allow_any_header()
        .build()
}

/// The application, exactly as `main` serves it, with fresh counters.
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .layer(middleware::from_fn_with_state(
            RateLimiter::default(),
            rate_limit_with_cors,
        ))
        // Outermost: preflights are answered before the limiter counts them, and the 429
        // carries CORS headers.
        .layer(CorsLayer::new(policy()?)))
}

/// "Rate limiting that respects CORS".
async fn rate_limit_with_cors(
    State(limiter): State<RateLimiter>,
    request: Request,
    next: Next,
) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map_or("unknown".to_owned(), |o| {
            String::from_utf8_lossy(o.as_bytes()).into_owned()
        });
    let now = Instant::now();
    let used = {
        // A poisoned lock only means another request panicked: the counters are still usable.
        let mut storage = limiter.storage.lock().unwrap_or_else(|e| e.into_inner());
        let times = storage.entry(origin).or_default();
        times.retain(|t| now.duration_since(*t) < RATE_WINDOW);
        if times.len() >= RATE_LIMIT {
            None
        } else {
            times.push(now);
            Some(times.len())
        }
    };
    let Some(used) = used else {
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({ "error": "Rate limit exceeded" })),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert("x-ratelimit-limit", HeaderValue::from(RATE_LIMIT));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        return response;
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(RATE_LIMIT));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(RATE_LIMIT - used),
    );
    response
}

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
