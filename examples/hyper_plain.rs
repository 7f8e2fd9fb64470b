//! A plain hyper 1 service, no axum: the guide's "Quick Reference" policy around a
//! `tower::service_fn`, served connection by connection with hyper-util.
//!
//! ```text
//! cargo run --example hyper_plain               # PORT=8000 by default
//! curl -i http://127.0.0.1:8000/api/users -H 'Origin: https://myapp.com'
//! ```

#[path = "shared/serve.rs"]
mod serve;

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tower::{Service, ServiceBuilder};
use tower_cors::{ConfigError, CorsLayer, CorsPolicy};

/// The guide's minimal secure setup (the same as `fastapi_quick_reference`).
pub fn policy() -> Result<CorsPolicy, ConfigError> {
    CorsPolicy::builder()
        .allow_origins(["https://myapp.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["Content-Type", "Authorization"])
        .expose_headers(["X-Total-Count"])
        .max_age(Duration::from_secs(600))
        .build()
}

fn json(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The routes: `GET /api/users`, 405 for other methods on it, 404 elsewhere.
async fn handle<B>(request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, "/api/users") => {
            json(StatusCode::OK, r#"[{"id":1,"name":"John"}]"#)
        }
        (_, "/api/users") => json(
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"detail":"Method Not Allowed"}"#,
        ),
        _ => json(StatusCode::NOT_FOUND, r#"{"detail":"Not Found"}"#),
    })
}

/// The service, exactly as `main` serves it, for any request body type.
pub fn service<B: Send + 'static>() -> Result<
    impl Service<Request<B>, Response = Response<Full<Bytes>>, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static,
    ConfigError,
> {
    Ok(ServiceBuilder::new()
        .layer(CorsLayer::new(policy()?))
        .service_fn(handle::<B>))
}

#[tokio::main]
async fn main() -> Result<(), serve::BoxError> {
    serve::init_tracing();
    let service = service::<hyper::body::Incoming>()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", serve::port(8000)?)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection from {peer}: {e}");
            }
        });
    }
}
