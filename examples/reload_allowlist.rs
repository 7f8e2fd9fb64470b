//! Origins that change while the server runs: a background task reloads the allowlist from a
//! file whenever it changes, without a restart and without a lock on the request path.
//!
//! ```text
//! echo 'https://acme.example' > /tmp/origins.txt
//! ORIGINS_FILE=/tmp/origins.txt cargo run --example reload_allowlist
//! curl -si http://127.0.0.1:8000/ -H 'Origin: https://globex.example' | grep -i access-control
//! echo 'https://globex.example' >> /tmp/origins.txt      # picked up within a second
//! curl -si http://127.0.0.1:8000/ -H 'Origin: https://globex.example' | grep -i access-control
//! ```
//!
//! One origin (or `https://*.example.com` pattern) per line; `#` starts a comment. A file with a
//! bad entry is reported and ignored: the last good list stays in force.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use axum::routing::get;
use axum::Router;
use tower_cors::{CorsLayer, CorsPolicy, OriginAllowlist};

#[path = "shared/serve.rs"]
mod serve;

fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
}

/// Reloads `list` from `path` whenever the file's modification time changes.
async fn watch(path: PathBuf, list: OriginAllowlist) {
    let mut seen: Option<SystemTime> = None;
    loop {
        let modified = tokio::fs::metadata(&path).await.and_then(|m| m.modified());
        match modified {
            Ok(m) if Some(m) != seen => {
                seen = Some(m);
                match tokio::fs::read_to_string(&path).await {
                    Ok(text) => match list.replace(entries(&text)) {
                        Ok(()) => {
                            tracing::info!(path = %path.display(), origins = list.len(), "allowlist reloaded")
                        }
                        Err(e) => {
                            tracing::error!(path = %path.display(), "allowlist not reloaded: {e}")
                        }
                    },
                    Err(e) => tracing::error!(path = %path.display(), "cannot read allowlist: {e}"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(path = %path.display(), "cannot stat allowlist: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();

    let path =
        PathBuf::from(std::env::var("ORIGINS_FILE").unwrap_or_else(|_| "origins.txt".into()));
    let list = OriginAllowlist::empty();
    let policy = CorsPolicy::builder()
        .allow_origin_list(list.clone())
        .allow_credentials(true)
        .build()?;
    tokio::spawn(watch(path, list));

    let app = Router::new()
        .route("/", get(|| async { "hello" }))
        .layer(CorsLayer::new(policy));
    serve::serve(app, 8000).await
}
