//! The layer in a real axum 0.8 server, over TCP.

mod common;

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, options, post};
use axum::Router;
use common::{pairs, send, send_body, serve_axum, PREFLIGHT_VARY};
use tower_cors::{CorsLayer, CorsPolicy, ScopedPolicies};

const APP: &str = "http://localhost:3000";

fn policy() -> CorsPolicy {
    CorsPolicy::builder()
        .allow_origins([APP, "https://myapp.com"])
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap()
}

async fn private(headers: HeaderMap) -> (StatusCode, &'static str) {
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(v) if v.starts_with("Bearer ") => (StatusCode::OK, "{\"data\":\"secret\"}"),
        _ => (StatusCode::UNAUTHORIZED, "{\"error\":\"Unauthorized\"}"),
    }
}

fn routes() -> Router {
    Router::new()
        .route(
            "/api/public",
            get(|| async { ([("x-request-id", "req-1")], "public") }),
        )
        .route("/api/private", get(private))
        .route(
            "/api/data",
            post(|body: String| async move { (StatusCode::CREATED, body) }),
        )
        .route(
            "/api/vary",
            get(|| async { ([("vary", "Accept-Encoding")], "varied") }),
        )
        .route(
            "/api/options",
            options(|| async { ([("allow", "GET, OPTIONS")], "handler answered") }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "{\"error\":\"Not found\"}") })
}

async fn app() -> std::net::SocketAddr {
    serve_axum(routes().layer(CorsLayer::new(policy()))).await
}

#[tokio::test]
async fn allowed_preflight_is_answered_by_the_layer() {
    let addr = app().await;
    let a = send(
        addr,
        "OPTIONS",
        "/api/data",
        &[
            ("origin", APP),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "authorization,content-type",
            ),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
            (
                "access-control-allow-headers",
                "content-type, authorization"
            ),
            ("access-control-max-age", "600"),
            ("vary", PREFLIGHT_VARY),
        ])
    );
    assert!(a.headers.get("content-length").is_none(), "{a:?}");
    assert!(a.body.is_empty());
}

#[tokio::test]
async fn preflight_from_a_disallowed_origin_is_403_with_only_vary() {
    let addr = app().await;
    let a = send(
        addr,
        "OPTIONS",
        "/api/data",
        &[
            ("origin", "https://myapp.com.evil.net"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.cors(), pairs(&[("vary", PREFLIGHT_VARY)]));
    assert!(a.body.is_empty());
}

#[tokio::test]
async fn preflight_with_a_disallowed_method_lists_the_allowed_ones() {
    let addr = app().await;
    let a = send(
        addr,
        "OPTIONS",
        "/api/data",
        &[("origin", APP), ("access-control-request-method", "PATCH")],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a.header("access-control-allow-methods"),
        "GET, POST, PUT, DELETE"
    );
    assert_eq!(a.header("access-control-allow-origin"), APP);
}

#[tokio::test]
async fn simple_and_credentialed_requests_from_an_allowed_origin() {
    let addr = app().await;
    let a = send(addr, "GET", "/api/public", &[("origin", APP)]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"public");
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "x-request-id"),
            ("vary", "Origin"),
        ])
    );
    let a = send(
        addr,
        "GET",
        "/api/private",
        &[
            ("origin", "https://myapp.com"),
            ("authorization", "Bearer t"),
            ("cookie", "session=1"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"{\"data\":\"secret\"}");
    assert_eq!(a.header("access-control-allow-origin"), "https://myapp.com");
    assert_eq!(a.header("access-control-allow-credentials"), "true");
}

#[tokio::test]
async fn disallowed_origin_reaches_the_handler_without_cors_headers() {
    let addr = app().await;
    let a = send(
        addr,
        "GET",
        "/api/public",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"public");
    assert_eq!(a.cors(), pairs(&[("vary", "Origin")]));
}

#[tokio::test]
async fn error_responses_carry_cors_headers_when_the_layer_is_outermost() {
    let addr = app().await;
    let unauthorized = send(addr, "GET", "/api/private", &[("origin", APP)]).await;
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauthorized.header("access-control-allow-origin"), APP);
    assert_eq!(
        unauthorized.header("access-control-allow-credentials"),
        "true"
    );
    let not_found = send(addr, "GET", "/nowhere", &[("origin", APP)]).await;
    assert_eq!(not_found.status, StatusCode::NOT_FOUND);
    assert_eq!(&not_found.body[..], b"{\"error\":\"Not found\"}");
    assert_eq!(not_found.header("access-control-allow-origin"), APP);
}

#[tokio::test]
async fn inner_vary_is_kept_and_stacked_layers_add_nothing_twice() {
    let addr = app().await;
    let a = send(addr, "GET", "/api/vary", &[("origin", APP)]).await;
    assert_eq!(a.header("vary"), "Accept-Encoding, Origin");

    let stacked = serve_axum(
        routes()
            .layer(CorsLayer::new(policy()))
            .layer(CorsLayer::new(policy())),
    )
    .await;
    let a = send(stacked, "GET", "/api/vary", &[("origin", APP)]).await;
    assert_eq!(a.header("vary"), "Accept-Encoding, Origin");
    let a = send(stacked, "GET", "/api/public", &[("origin", APP)]).await;
    assert_eq!(a.header("vary"), "Origin");
    assert_eq!(a.header("access-control-allow-origin"), APP);
}

#[tokio::test]
async fn options_without_request_method_reaches_the_handler() {
    let addr = app().await;
    let a = send(addr, "OPTIONS", "/api/options", &[("origin", APP)]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"handler answered");
    assert_eq!(a.header("allow"), "GET, OPTIONS");
    assert_eq!(a.header("access-control-allow-origin"), APP);
}

#[tokio::test]
async fn no_origin_gets_the_handler_answer_and_vary() {
    let addr = app().await;
    let a = send_body(
        addr,
        "POST",
        "/api/data",
        &[("content-type", "application/json")],
        "{\"a\":1}",
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(&a.body[..], b"{\"a\":1}");
    assert_eq!(a.cors(), pairs(&[("vary", "Origin")]));
}

#[tokio::test]
async fn path_scoped_policies_choose_by_path_segments() {
    let specific = CorsPolicy::builder()
        .allow_origins([APP])
        .allow_methods(["GET"])
        .allow_headers(["content-type"])
        .build()
        .unwrap();
    let scoped = ScopedPolicies::builder()
        .path("/api/*", policy())
        .path("/api/public", specific)
        .build()
        .unwrap();
    let addr = serve_axum(
        routes()
            .route("/apiary", get(|| async { "bees" }))
            .layer(CorsLayer::scoped(scoped)),
    )
    .await;
    // The exact path wins over the prefix: no credentials there.
    let a = send(addr, "GET", "/api/public", &[("origin", APP)]).await;
    assert_eq!(
        a.cors(),
        pairs(&[("access-control-allow-origin", APP), ("vary", "Origin")])
    );
    let a = send(
        addr,
        "GET",
        "/api/public",
        &[("origin", "https://myapp.com")],
    )
    .await;
    assert_eq!(a.cors(), pairs(&[("vary", "Origin")]));
    // The prefix covers the rest of /api.
    let a = send(
        addr,
        "GET",
        "/api/private",
        &[("origin", "https://myapp.com")],
    )
    .await;
    assert_eq!(a.header("access-control-allow-credentials"), "true");
    // Outside every scope: untouched, not even Vary.
    let a = send(addr, "GET", "/apiary", &[("origin", APP)]).await;
    assert_eq!(&a.body[..], b"bees");
    assert_eq!(a.cors(), pairs(&[]));
}

#[tokio::test]
async fn route_layer_applies_to_matched_routes() {
    let addr = serve_axum(
        Router::new()
            .route(
                "/api/public",
                get(|| async { "public" }).options(|| async { "unused" }),
            )
            .route_layer(CorsLayer::new(policy())),
    )
    .await;
    let a = send(addr, "GET", "/api/public", &[("origin", APP)]).await;
    assert_eq!(a.header("access-control-allow-origin"), APP);
    let a = send(
        addr,
        "OPTIONS",
        "/api/public",
        &[("origin", APP), ("access-control-request-method", "PUT")],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a.header("access-control-allow-methods"),
        "GET, POST, PUT, DELETE"
    );
}

#[tokio::test]
async fn explained_rejections_carry_the_reason_in_the_body() {
    let addr = serve_axum(routes().layer(CorsLayer::new(policy()).explain_rejections())).await;
    let a = send(
        addr,
        "OPTIONS",
        "/api/data",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        &a.body[..],
        b"origin \"https://evil.example\" is not allowed\n"
    );
    let a = send(
        addr,
        "OPTIONS",
        "/api/data",
        &[
            ("origin", APP),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "x-secret"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(&a.body[..], b"", "a 204 has no body");
    assert!(a.headers.get("content-type").is_none());
    let allowed = send(
        addr,
        "OPTIONS",
        "/api/data",
        &[("origin", APP), ("access-control-request-method", "PUT")],
    )
    .await;
    assert!(allowed.body.is_empty());
    assert!(allowed.headers.get("content-type").is_none());
}

#[tokio::test]
async fn refusing_disallowed_origins_never_calls_the_handler() {
    let refusing = CorsPolicy::builder()
        .allow_origins([APP])
        .refuse_disallowed_origins(true)
        .build()
        .unwrap();
    let addr = serve_axum(routes().layer(CorsLayer::new(refusing).explain_rejections())).await;
    let a = send(
        addr,
        "GET",
        "/api/public",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        &a.body[..],
        b"origin \"https://evil.example\" is not allowed\n"
    );
    assert!(a.headers.get("x-request-id").is_none());
    let a = send(addr, "GET", "/api/public", &[("origin", APP)]).await;
    assert_eq!(&a.body[..], b"public");
}
