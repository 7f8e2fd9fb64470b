//! The test shown in the README's "Testing what the browser will do" section, run as written
//! (everything from `// README: start` to `// README: end` is in the README verbatim; the last
//! test here checks that).

// README: start
use axum::{body::Body, routing::put, Router};
use tower_cors::check::{Browser, BrowserRequest, CorsError, Credentials, Mode, Preflight};
use tower_cors::{CorsLayer, CorsPolicy};

fn app() -> Router {
    let policy = CorsPolicy::builder()
        .allow_origins(["http://localhost:3000"])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-total-count"])
        .allow_credentials(true)
        .build()
        .expect("valid CORS policy");
    Router::new()
        .route(
            "/api/items/{id}",
            put(|| async { ([("x-total-count", "42")], "{}") }),
        )
        .layer(CorsLayer::new(policy))
}

#[tokio::test]
async fn chrome_lets_the_frontend_update_items() {
    let mut service = app().into_service::<Body>();
    let mut chrome = Browser::new(Mode::Chromium);

    // fetch("http://api.test/api/items/7", { method: "PUT", credentials: "include",
    //   headers: { Authorization: "Bearer t", "Content-Type": "application/json" } })
    let request = BrowserRequest::new(
        "http://localhost:3000",
        "PUT",
        "http://api.test/api/items/7",
    )
    .unwrap()
    .header("Authorization", "Bearer t")
    .unwrap()
    .header("Content-Type", "application/json")
    .unwrap()
    .credentials(Credentials::Include)
    .read_header("X-Total-Count");

    let verdict = chrome.fetch(&mut service, &request).await;
    assert!(verdict.allowed, "{}", verdict.explain());
    assert_eq!(
        verdict.preflight,
        Preflight::Sent {
            method: "PUT".into(),
            headers: Some("authorization,content-type".into()),
        }
    );
    // `response.headers.get("X-Total-Count")` returns "42", not null.
    assert!(verdict.unreadable_requested.is_empty());
    assert!(verdict
        .readable_headers
        .contains(&"x-total-count".to_owned()));

    // The Vite dev server on port 5173 is not allowed: the preflight fails, the PUT never leaves.
    let from_vite = BrowserRequest::new(
        "http://localhost:5173",
        "PUT",
        "http://api.test/api/items/7",
    )
    .unwrap()
    .header("Authorization", "Bearer t")
    .unwrap()
    .credentials(Credentials::Include);
    let verdict = chrome.fetch(&mut service, &from_vite).await;
    assert_eq!(
        verdict.blocked.map(|b| b.error),
        Some(CorsError::PreflightMissingAllowOriginHeader)
    );
}
// README: end

#[test]
fn the_readme_shows_this_test() {
    let this = include_str!("readme_model.rs");
    let start = this.find("// README: start\n").unwrap() + "// README: start\n".len();
    let end = this.find("\n// README: end\n").unwrap() + 1;
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&this[start..end]),
        "README.md must show tests/readme_model.rs between the README markers, verbatim"
    );
}
