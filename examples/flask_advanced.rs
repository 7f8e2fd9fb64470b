//! Guide: "CORS in Flask" › "Advanced Flask CORS Configuration" — flask-cors `resources` on
//! `/api/*`, the logging hooks, `@cross_origin` routes and the JSON error handlers.
//!
//! ```text
//! cargo run --example flask_advanced            # PORT=5000 by default
//! curl -i http://127.0.0.1:5000/api/public -H 'Origin: http://localhost:3000'
//! curl -i -X OPTIONS http://127.0.0.1:5000/api/data \
//!   -H 'Origin: https://myapp.com' -H 'Access-Control-Request-Method: POST' \
//!   -H 'Access-Control-Request-Headers: Content-Type'
//! ```
//!
//! `CORS(app, resources={r"/api/*": cors_config})` becomes a [`ScopedPolicies`] with the
//! `/api/*` prefix (whole path segments: `/apiary` is not covered, as flask-cors's regex would
//! have it) and an exact `/api/specific` scope for the `@cross_origin(...)` route. The
//! `@cross_origin(supports_credentials=True)` on `/api/private` is *not* a scope of its own: in
//! flask-cors it replaces the `/api/*` policy with the library defaults (every origin, with
//! credentials); here `/api/private` keeps the `/api/*` policy, which already has credentials.

#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy, ScopedPolicies};

/// The global `cors_config` applied to `/api/*`.
pub fn api_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins([
            "http://localhost:3000",
            "http://localhost:8080",
            "https://myapp.com",
        ])
        .allow_methods(["GET", "POST", "PUT", "DELETE", "OPTIONS"])
        .allow_headers(["Content-Type", "Authorization", "X-Requested-With"])
        .expose_headers(["Content-Length", "X-Request-ID"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
}

/// `@cross_origin(origins=["http://localhost:3000"], methods=["GET"], allow_headers=["Content-Type"])`.
pub fn specific_policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["http://localhost:3000"])
        .allow_methods(["GET"])
        .allow_headers(["Content-Type"])
        .build()
}

/// The application, exactly as `main` serves it.
pub fn app() -> Result<Router, ConfigError> {
    let scoped = ScopedPolicies::builder()
        .path("/api/*", api_policy()?)
        .path("/api/specific", specific_policy()?)
        .build()?;
    Ok(Router::new()
        .route("/api/public", get(public_endpoint))
        .route("/api/private", get(private_endpoint))
        .route("/api/data", post(create_data).options(data_options))
        .route("/api/specific", get(specific_cors))
        .fallback(not_found)
        // Outermost but for the logging: 401s, 404s and 415s carry CORS headers too.
        .layer(CorsLayer::scoped(scoped))
        .layer(middleware::from_fn(log_cors)))
}

/// `@app.before_request` / `@app.after_request`: the request's origin, method and path, then the
/// `Access-Control-Allow-Origin` the response went out with.
async fn log_cors(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        tracing::info!("CORS request from origin: {origin:?}");
        tracing::info!("Request method: {}", request.method());
        tracing::info!("Request path: {}", request.uri().path());
    }
    let response = next.run(request).await;
    if origin.is_some() {
        let acao = response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN);
        tracing::info!("CORS response origin: {acao:?}");
    }
    response
}

async fn public_endpoint() -> Json<Value> {
    Json(json!({ "message": "This is a public endpoint", "data": [1, 2, 3] }))
}

/// The token of `Authorization: Bearer <token>` (`auth_header.split(' ')[1]`).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let rest = value.strip_prefix("Bearer ")?;
    Some(rest.split(' ').next().unwrap_or(""))
}

async fn private_endpoint(headers: HeaderMap) -> Response {
    let Some(token) = bearer_token(&headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "Unauthorized" })),
        )
            .into_response();
    };
    let preview: String = token.chars().take(10).collect();
    Json(json!({
        "message": "Private data",
        "user": "authenticated_user",
        "token_preview": format!("{preview}..."),
    }))
    .into_response()
}

/// `if request.method == 'OPTIONS': return '', 204` — only OPTIONS requests that are not
/// preflights get here: the layer answers preflights.
async fn data_options() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// `request.get_json()`: a JSON body is echoed with 201; Flask answers 415 for another content
/// type and 400 for JSON that does not parse (here with JSON bodies instead of Flask's HTML).
async fn create_data(headers: HeaderMap, body: Bytes) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
    if !is_json {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(json!({ "error": "Unsupported Media Type" })),
        )
            .into_response();
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(data) => (
            StatusCode::CREATED,
            Json(json!({ "message": "Data created", "received": data })),
        )
            .into_response(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "Bad Request" })),
        )
            .into_response(),
    }
}

async fn specific_cors() -> Json<Value> {
    Json(json!({ "message": "Specific CORS rules apply here" }))
}

/// `@app.errorhandler(404)`.
async fn not_found() -> (StatusCode, Json<Value>) {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "Not found" })))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 5000).await
}
