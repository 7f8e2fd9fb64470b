//! An axum hello-world for the end-to-end run (`benches/e2e.sh`): bare, behind tower-cors, or
//! behind tower-http's `CorsLayer`, on the same configuration.
//!
//! `e2e_server serve MODE PORT` serves on 127.0.0.1:PORT with one worker thread (so that the
//! load generator has the other core). Without `serve` it exits at once, so a plain
//! `cargo bench` does not hang on it.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use http::header::HeaderName;
use http::{HeaderValue, Method};

const ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://www.example.com",
];
const METHODS: [Method; 4] = [Method::GET, Method::POST, Method::PUT, Method::DELETE];
const HEADERS: [&str; 3] = ["authorization", "content-type", "x-request-id"];

fn app(mode: &str) -> Router {
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    match mode {
        "bare" => app,
        "tower-cors" => {
            let policy = tower_cors::CorsPolicy::builder()
                .allow_origins(ORIGINS)
                .allow_methods(METHODS)
                .allow_headers(HEADERS)
                .expose_headers(["x-request-id"])
                .allow_credentials(true)
                .max_age(Duration::from_secs(600))
                .build()
                .expect("a valid policy");
            app.layer(tower_cors::CorsLayer::new(policy))
        }
        "tower-http" => app.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(ORIGINS.map(HeaderValue::from_static))
                .allow_methods(METHODS)
                .allow_headers(HEADERS.map(HeaderName::from_static))
                .expose_headers([HeaderName::from_static("x-request-id")])
                .allow_credentials(true)
                .max_age(Duration::from_secs(600)),
        ),
        other => panic!("unknown mode {other:?}: bare, tower-cors or tower-http"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(at) = args.iter().position(|a| a == "serve") else {
        eprintln!("e2e_server: run by benches/e2e.sh (`e2e_server serve MODE PORT`)");
        return;
    };
    let mode = args.get(at + 1).map_or("bare", String::as_str);
    let port: u16 = args
        .get(at + 2)
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let app = app(mode);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("bind");
            axum::serve(listener, app).await.expect("serve");
        });
}
