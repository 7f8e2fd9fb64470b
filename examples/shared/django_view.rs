//! The guide's Django `PublicAPIView` and `urls.py` ("CORS in Django" › "Django Views with
//! CORS"), shared by the Django examples (`#[path = "shared/django_view.rs"] mod django_view;`).
#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Value};

/// `path('api/public/', PublicAPIView.as_view())`, plus what Django's `CommonMiddleware`
/// (APPEND_SLASH) does for `/api/public`: a 301 to `/api/public/`.
pub fn routes() -> Router {
    Router::new()
        .route(
            "/api/public/",
            get(public_get).post(public_post).options(public_options),
        )
        .route("/api/public", any(append_slash))
}

/// `def options(...)`: "Handle preflight requests" — an empty 204. With the CORS layer in
/// front it only sees OPTIONS requests that are not preflights (the layer answers those).
async fn public_options() -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn public_get() -> Json<Value> {
    Json(json!({ "message": "Public API endpoint", "data": [1, 2, 3] }))
}

/// `json.loads(request.body)`: any JSON value is echoed with 201; anything else is a 400.
async fn public_post(body: Bytes) -> impl IntoResponse {
    match serde_json::from_slice::<Value>(&body) {
        Ok(data) => (
            StatusCode::CREATED,
            Json(json!({ "message": "Data received", "received": data })),
        ),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "Invalid JSON" })),
        ),
    }
}

async fn append_slash() -> impl IntoResponse {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, "/api/public/")],
    )
}
