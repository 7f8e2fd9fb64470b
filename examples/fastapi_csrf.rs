//! Guide: "Security Considerations" › "3. Implement CSRF Protection" — CSRF tokens next to a
//! credentialed CORS policy.
//!
//! ```text
//! cargo run --example fastapi_csrf              # PORT=8000 by default
//! TOKEN=$(curl -s http://127.0.0.1:8000/api/csrf-token -H 'Cookie: session_id=s1' | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
//! curl -i -X POST http://127.0.0.1:8000/api/protected -H 'Origin: https://myapp.com' \
//!   -H 'Cookie: session_id=s1' -H "X-CSRF-Token: $TOKEN"
//! ```
//!
//! CORS decides who may *read* a response; it does not stop a cross-site form from *sending* a
//! cookie-carrying POST. The token does: a page can only send it back if it could read
//! `/api/csrf-token`, which the CORS policy grants to the listed origins alone. The custom
//! `X-CSRF-Token` header also forces a preflight, so it must be in `allow_headers`.
//!
//! Tokens are 32 bytes from the operating system's CSRNG (`secrets.token_urlsafe(32)`),
//! compared in constant time (`hmac.compare_digest`), kept in memory per `session_id` cookie as
//! the guide does ("use Redis in production").

#[path = "shared/serve.rs"]
mod serve;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// CSRF token storage: session id -> token.
#[derive(Clone, Default)]
pub struct CsrfTokens(Arc<Mutex<HashMap<String, String>>>);

/// The frontends that may read a token, with credentials and the `X-CSRF-Token` header.
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["https://myapp.com", "http://localhost:3000"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST"])
        .allow_headers(["Content-Type", "X-CSRF-Token"])
        .build()
}

/// The application, exactly as `main` serves it, with an empty token store.
pub fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/api/csrf-token", get(get_csrf_token))
        .route("/api/protected", post(protected_endpoint))
        .with_state(CsrfTokens::default())
        .layer(CorsLayer::new(policy()?)))
}

/// `request.cookies.get("session_id", "default")`.
fn session_id(headers: &HeaderMap) -> String {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == "session_id")
        .map_or_else(|| "default".to_owned(), |(_, value)| value.to_owned())
}

/// `secrets.token_urlsafe(32)`, hex-encoded.
fn generate_csrf_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `hmac.compare_digest`: the time taken does not depend on where the tokens differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn get_csrf_token(State(tokens): State<CsrfTokens>, headers: HeaderMap) -> Response {
    let token = match generate_csrf_token() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("no randomness for a CSRF token: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    tokens
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(session_id(&headers), token.clone());
    Json(json!({ "csrf_token": token })).into_response()
}

async fn protected_endpoint(State(tokens): State<CsrfTokens>, headers: HeaderMap) -> Response {
    let stored = tokens
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&session_id(&headers))
        .cloned();
    let sent = headers.get("x-csrf-token").map(|v| v.as_bytes());
    match (stored, sent) {
        (Some(stored), Some(sent)) if constant_time_eq(stored.as_bytes(), sent) => {
            Json(json!({ "message": "Protected action completed" })).into_response()
        }
        _ => (
            StatusCode::FORBIDDEN,
            Json(json!({ "detail": "Invalid CSRF token" })),
        )
            .into_response(),
    }
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    serve::serve(app()?, 8000).await
}
