//! Guide: "Best Practices" › "1. Development vs Production Configuration", "2. Logging CORS
//! Requests" and "4. Monitoring and Alerting" — one app: the policy chosen by `ENVIRONMENT`,
//! every CORS request logged with `tracing`, and Prometheus counters of allowed and blocked
//! origins on `/metrics`.
//!
//! ```text
//! cargo run --example fastapi_dev_prod                          # development: any origin
//! ENVIRONMENT=production cargo run --example fastapi_dev_prod
//! curl -s http://127.0.0.1:8000/api/users -H 'Origin: https://evil.com' >/dev/null
//! curl -s http://127.0.0.1:8000/metrics
//! ```
//!
//! Development allows any origin without credentials (`Access-Control-Allow-Origin: *`), as the
//! guide does; production lists origins, with credentials. The metrics are the guide's
//! `cors_requests_total{origin, method, allowed}` and `cors_request_duration_seconds` (as a
//! summary: `_sum` and `_count`), written in the Prometheus text format without a client
//! library. The `origin` label is whatever the client sent, so the number of distinct origins
//! is capped (1000; later ones are counted as `origin="other"`) and label values are escaped:
//! the guide's version lets any client grow the metrics without bound.

#[path = "shared/serve.rs"]
mod serve;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_cors::config::{CorsConfig, Profile};
use tower_cors::{ConfigError, CorsLayer};

/// `settings.cors_origins`.
pub fn cors_origins(profile: Profile) -> Vec<String> {
    let origins: &[&str] = match profile {
        Profile::Production => &["https://myapp.com", "https://www.myapp.com"],
        _ => &[
            "http://localhost:3000",
            "http://localhost:8080",
            "http://127.0.0.1:3000",
        ],
    };
    origins.iter().map(|s| (*s).to_owned()).collect()
}

/// Development: allow all (`settings.cors_allow_all`); otherwise strict CORS.
pub fn config(profile: Profile) -> CorsConfig {
    let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    if profile == Profile::Development {
        CorsConfig {
            allow_all_origins: true,
            allow_methods: Some(list(&["*"])),
            allow_headers: Some(list(&["*"])),
            ..CorsConfig::default()
        }
    } else {
        CorsConfig {
            allow_origins: cors_origins(profile),
            allow_credentials: true,
            allow_methods: Some(list(&["GET", "POST", "PUT", "DELETE"])),
            allow_headers: Some(list(&["Content-Type", "Authorization"])),
            ..CorsConfig::default()
        }
    }
}

/// Distinct `origin` label values kept before the rest are counted as `other`.
pub const MAX_ORIGINS: usize = 1000;

/// The counters: `(origin, method, allowed)` -> requests, `(origin, method)` -> (count, seconds).
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<MetricsInner>>,
}

#[derive(Default)]
struct MetricsInner {
    requests: BTreeMap<(String, String, bool), u64>,
    durations: BTreeMap<(String, String), (u64, f64)>,
    origins: std::collections::BTreeSet<String>,
}

impl Metrics {
    fn record(&self, origin: &str, method: &str, allowed: bool, seconds: f64) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let origin = if m.origins.contains(origin) || m.origins.len() < MAX_ORIGINS {
            m.origins.insert(origin.to_owned());
            origin.to_owned()
        } else {
            "other".to_owned()
        };
        *m.requests
            .entry((origin.clone(), method.to_owned(), allowed))
            .or_default() += 1;
        let d = m.durations.entry((origin, method.to_owned())).or_default();
        d.0 += 1;
        d.1 += seconds;
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP cors_requests_total Total CORS requests\n");
        out.push_str("# TYPE cors_requests_total counter\n");
        for ((origin, method, allowed), n) in &m.requests {
            let allowed = if *allowed { "True" } else { "False" };
            let _ = writeln!(
                out,
                "cors_requests_total{{origin=\"{}\",method=\"{}\",allowed=\"{allowed}\"}} {n}",
                escape(origin),
                escape(method)
            );
        }
        out.push_str("# HELP cors_request_duration_seconds CORS request duration\n");
        out.push_str("# TYPE cors_request_duration_seconds summary\n");
        for ((origin, method), (count, sum)) in &m.durations {
            let labels = format!(
                "origin=\"{}\",method=\"{}\"",
                escape(origin),
                escape(method)
            );
            let _ = writeln!(out, "cors_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(
                out,
                "cors_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
        out
    }
}

/// A label value in the text format: `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

/// The application, exactly as `main` serves it, for a profile, with fresh metrics.
pub fn app(profile: Profile) -> Result<Router, ConfigError> {
    let metrics = Metrics::default();
    Ok(Router::new()
        .route("/api/users", get(get_users))
        .route("/metrics", get(render_metrics))
        .with_state(metrics.clone())
        .layer(CorsLayer::new(config(profile).build()?))
        // Outside the CORS layer, as the guide's middlewares are, so they see its headers.
        .layer(middleware::from_fn(log_cors))
        .layer(middleware::from_fn_with_state(metrics, monitor_cors)))
}

/// Best Practices 2: "Logging CORS Requests".
async fn log_cors(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        tracing::info!(
            "CORS request - Origin: {origin:?}, Method: {}, Path: {}",
            request.method(),
            request.uri().path()
        );
    }
    let response = next.run(request).await;
    if let Some(origin) = &origin {
        if response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        {
            tracing::info!("CORS allowed for origin: {origin:?}");
        } else {
            tracing::warn!("CORS blocked for origin: {origin:?}");
        }
    }
    response
}

/// Best Practices 4: `monitor_cors`.
async fn monitor_cors(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let method = request.method().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    let allowed = response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    let origin = String::from_utf8_lossy(origin.as_bytes());
    metrics.record(&origin, &method, allowed, start.elapsed().as_secs_f64());
    response
}

async fn render_metrics(State(metrics): State<Metrics>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        metrics.render(),
    )
}

async fn get_users() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "John" }]))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    let profile = Profile::from_env()?;
    tracing::info!(?profile, "CORS profile");
    serve::serve(app(profile)?, 8000).await
}
