//! The layer around a plain hyper 1 service (no axum), served through hyper-util over TCP, and
//! inside a `tower::ServiceBuilder`.

mod common;

use std::convert::Infallible;

use bytes::Bytes;
use common::{pairs, send, serve_hyper, PREFLIGHT_VARY};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use tower::ServiceBuilder;
use tower_cors::{CorsLayer, CorsPolicy};

async fn hello(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!("{} {}", req.method(), req.uri().path());
    Ok(Response::builder()
        .header("vary", "Accept-Encoding")
        .body(Full::new(Bytes::from(body)))
        .unwrap())
}

fn policy() -> CorsPolicy {
    CorsPolicy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type"])
        .build()
        .unwrap()
}

#[tokio::test]
async fn plain_hyper_service_with_service_builder() {
    let service = ServiceBuilder::new()
        .layer(CorsLayer::new(policy()))
        .service_fn(hello);
    let addr = serve_hyper(service).await;

    let a = send(
        addr,
        "GET",
        "/hello",
        &[("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"GET /hello");
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("vary", "Accept-Encoding, Origin"),
        ])
    );

    let a = send(
        addr,
        "OPTIONS",
        "/hello",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.body.is_empty(), "the service was not called");
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-methods", "GET, PUT"),
            ("access-control-allow-headers", "content-type"),
            ("vary", PREFLIGHT_VARY),
        ])
    );

    let a = send(
        addr,
        "GET",
        "/hello",
        &[("origin", "https://other.example")],
    )
    .await;
    assert_eq!(&a.body[..], b"GET /hello");
    assert_eq!(a.cors(), pairs(&[("vary", "Accept-Encoding, Origin")]));
}

#[tokio::test]
async fn preflight_passthrough_reaches_the_hyper_service() {
    let passthrough = CorsPolicy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT"])
        .preflight_passthrough(true)
        .build()
        .unwrap();
    let service = ServiceBuilder::new()
        .layer(CorsLayer::new(passthrough))
        .service_fn(hello);
    let addr = serve_hyper(service).await;
    let a = send(
        addr,
        "OPTIONS",
        "/custom",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"OPTIONS /custom");
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-methods", "PUT"),
            ("vary", "Accept-Encoding, Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
        ])
    );
}
