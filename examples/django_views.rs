//! Guide: "CORS in Django" › "Django Views with CORS" — the class-based view on its own.
//!
//! ```text
//! cargo run --example django_views              # PORT=8000 by default
//! curl -i -X OPTIONS http://127.0.0.1:8000/api/public/ -H 'Origin: http://localhost:3000' \
//!   -H 'Access-Control-Request-Method: POST'
//! ```
//!
//! The view's `options()` ("Handle preflight requests") answers an empty 204 and nothing else:
//! on its own it grants no origin anything, so a browser fails every cross-origin call. This
//! example serves the view without a CORS layer to show exactly that (and matches Django
//! header for header); `django_settings` puts the same view behind the CORS layer.

#[path = "shared/django_view.rs"]
mod django_view;
#[path = "shared/serve.rs"]
mod serve;

use axum::Router;

/// The application, exactly as `main` serves it: the view and its URL, no CORS.
pub fn app() -> Router {
    django_view::routes()
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    tracing::warn!(
        "no CORS layer: this view alone answers no cross-origin request (see django_settings)"
    );
    serve::serve(app(), 8000).await
}
