//! Guide: "CORS in Django" › "Environment-Based Django CORS" — `CORS_ALLOWED_ORIGINS` chosen
//! by `ENVIRONMENT`.
//!
//! ```text
//! cargo run --example django_env                                # development
//! ENVIRONMENT=staging cargo run --example django_env
//! curl -i http://127.0.0.1:8000/api/public/ -H 'Origin: https://staging.myapp.com'
//! ```
//!
//! Staging and production use the guide's lists. In development the guide sets
//! `CORS_ALLOW_ALL_ORIGINS = True` next to `CORS_ALLOW_CREDENTIALS = True`, which
//! django-cors-headers serves by reflecting *every* origin with credentials: any web page a
//! developer opens can then call the dev server with their cookies. tower-cors refuses that
//! (a `ConfigError`), so development uses `CorsConfig::development()`'s origins instead: pages
//! served from this machine (`localhost`, `127.0.0.1`, `[::1]`) on any port. The other settings
//! are django-cors-headers' defaults, which the guide's section leaves in place.

#[path = "shared/django_view.rs"]
mod django_view;
#[path = "shared/serve.rs"]
mod serve;

use axum::Router;
use tower_cors::config::{CorsConfig, Profile};
use tower_cors::{ConfigError, CorsLayer};

/// `get_cors_allowed_origins()` (staging and production).
pub fn cors_allowed_origins(profile: Profile) -> Vec<String> {
    let origins: &[&str] = match profile {
        Profile::Production => &[
            "https://myapp.com",
            "https://www.myapp.com",
            "https://app.myapp.com",
        ],
        Profile::Staging => &["https://staging.myapp.com", "https://dev.myapp.com"],
        // `CORS_ALLOW_ALL_ORIGINS = True` (with credentials) in the guide: see the module docs.
        Profile::Development => return CorsConfig::development().allow_origins,
    };
    origins.iter().map(|s| (*s).to_owned()).collect()
}

/// The settings for a profile, with django-cors-headers' defaults for the rest.
pub fn config(profile: Profile) -> CorsConfig {
    let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    CorsConfig {
        allow_origins: cors_allowed_origins(profile),
        allow_credentials: true,
        allow_methods: Some(list(&["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"])),
        allow_headers: Some(list(&[
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrftoken",
            "x-requested-with",
        ])),
        max_age: Some(86400),
        ..CorsConfig::default()
    }
}

/// The application, exactly as `main` serves it, for a profile.
pub fn app(profile: Profile) -> Result<Router, ConfigError> {
    Ok(django_view::routes().layer(CorsLayer::new(config(profile).build()?)))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    let profile = Profile::from_env()?;
    tracing::info!(?profile, origins = ?cors_allowed_origins(profile), "CORS_ALLOWED_ORIGINS");
    serve::serve(app(profile)?, 8000).await
}
