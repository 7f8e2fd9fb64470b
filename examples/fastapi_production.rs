//! Guide: "CORS in FastAPI" › "Production-Ready CORS Configuration" — Settings read from the
//! environment, the logging middleware, public, private, JSON and custom-OPTIONS routes.
//!
//! ```text
//! cargo run --example fastapi_production        # PORT=8000 by default
//! curl -i -X OPTIONS http://127.0.0.1:8000/api/data -H 'Origin: http://localhost:3000' \
//!   -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: Content-Type'
//! CORS_ORIGINS='["https://a.example"]' CORS_MAX_AGE=60 cargo run --example fastapi_production
//! ```
//!
//! The guide's pydantic `Settings` is a [`CorsConfig`] holding the guide's defaults, which the
//! `CORS_*` variables override as pydantic-settings does (lists comma-separated or as JSON
//! arrays): `CORS_ORIGINS`, `CORS_ALLOW_CREDENTIALS`, `CORS_ALLOW_METHODS`, `CORS_ALLOW_HEADERS`,
//! `CORS_EXPOSE_HEADERS`, `CORS_MAX_AGE`. A bad value stops the start with an error naming the
//! variable. (No `.env` file is read.)

#[path = "shared/serve.rs"]
mod serve;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::config::{CorsConfig, EnvError};
use tower_cors::{ConfigError, CorsLayer};

/// `class Settings(BaseSettings)` with the guide's defaults.
pub fn default_settings() -> CorsConfig {
    let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    CorsConfig {
        allow_origins: list(&[
            "http://localhost:3000",
            "http://localhost:8080",
            "https://myapp.com",
            "https://www.myapp.com",
        ]),
        allow_credentials: true,
        allow_methods: Some(list(&["GET", "POST", "PUT", "DELETE", "OPTIONS"])),
        allow_headers: Some(list(&[
            "Accept",
            "Accept-Language",
            "Content-Type",
            "Authorization",
            "X-Requested-With",
        ])),
        expose_headers: list(&["Content-Length", "X-Request-ID"]),
        max_age: Some(600), // 10 minutes
        ..CorsConfig::default()
    }
}

/// `settings = Settings()`: the defaults, overridden by the `CORS_*` environment variables.
pub fn settings() -> Result<CorsConfig, EnvError> {
    default_settings().with_env()
}

/// The application, exactly as `main` serves it, for the given settings.
pub fn app(settings: &CorsConfig) -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/", get(root))
        .route("/api/public", get(public_endpoint))
        .route("/api/private", get(private_endpoint))
        .route("/api/data", post(create_data))
        .route("/api/custom", options(custom_options))
        .layer(CorsLayer::new(settings.build()?))
        // Outside the CORS layer, like the guide's `@app.middleware("http")`, so it logs the
        // `Access-Control-Allow-Origin` the response really went out with.
        .layer(middleware::from_fn(log_cors_requests)))
}

/// "Middleware to log CORS requests".
async fn log_cors_requests(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        tracing::info!("CORS request from origin: {origin:?}");
    }
    let response = next.run(request).await;
    if origin.is_some() {
        let cors_header = response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN);
        tracing::info!("CORS response header: {cors_header:?}");
    }
    response
}

async fn root() -> Json<Value> {
    Json(json!({ "message": "API with CORS enabled" }))
}

/// Public endpoint - no authentication required.
async fn public_endpoint() -> Json<Value> {
    Json(json!({ "message": "This is a public endpoint", "data": [1, 2, 3] }))
}

/// Private endpoint - requires `Authorization: Bearer <token>`.
async fn private_endpoint(headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|rest| rest.split(' ').next().unwrap_or(""));
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "detail": "Missing or invalid authorization header" })),
        )
            .into_response();
    };
    let preview: String = token.chars().take(10).collect();
    Json(json!({
        "message": "This is a private endpoint",
        "user": "authenticated_user",
        "token_preview": format!("{preview}..."),
    }))
    .into_response()
}

/// POST endpoint that will trigger preflight: `data: dict`, echoed under `received`. Anything
/// but a JSON object is FastAPI's 422.
async fn create_data(body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(data @ Value::Object(_)) => Json(json!({
            "message": "Data created successfully",
            "received": data,
        }))
        .into_response(),
        Ok(_) => unprocessable("Input should be a valid dictionary"),
        Err(_) => unprocessable("JSON decode error"),
    }
}

fn unprocessable(msg: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "detail": [{ "loc": ["body"], "msg": msg }] })),
    )
        .into_response()
}

/// "Custom OPTIONS handler (usually handled by middleware)", as the guide writes it. Only
/// OPTIONS requests that are not preflights reach it (the layer answers preflights), and the
/// layer replaces its hard-coded `Access-Control-*` headers with the policy's: the guide's
/// `Access-Control-Allow-Origin: *` would otherwise go out next to `Allow-Credentials: true`.
async fn custom_options() -> impl IntoResponse {
    (
        [
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Content-Type, Authorization"),
            ),
        ],
        Json(json!({ "message": "Custom OPTIONS response" })),
    )
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    let settings = settings()?;
    tracing::info!(origins = ?settings.allow_origins, "CORS settings");
    serve::serve(app(&settings)?, 8000).await
}
