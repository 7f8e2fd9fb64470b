//! Shared by the examples (included with `#[path = "shared/serve.rs"] mod serve;`): logging
//! set-up and serving a router on `127.0.0.1:$PORT`.
#![allow(dead_code)]

use std::error::Error;

use tracing_subscriber::EnvFilter;

/// What `main` returns: any error, printed by the runtime instead of a panic.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// Logs to stderr (stdout keeps only the `listening on` line). `RUST_LOG` overrides the
/// default, which shows the app's INFO lines and every CORS decision of the layer.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_cors=debug"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `PORT` from the environment, or `default`; a value that is not a port is an error.
pub fn port(default: u16) -> Result<u16, BoxError> {
    match std::env::var("PORT") {
        Ok(p) => p
            .trim()
            .parse()
            .map_err(|e| format!("PORT={p:?} is not a TCP port: {e}").into()),
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => Err(format!("PORT: {e}").into()),
    }
}

/// Binds `127.0.0.1:$PORT`, prints `listening on http://127.0.0.1:PORT` once connections are
/// accepted, and serves `app` until the process ends.
pub async fn serve(app: axum::Router, default_port: u16) -> Result<(), BoxError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port(default_port)?)).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
