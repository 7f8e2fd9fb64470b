//! The project's example apps in the browser suite: each app's own router (included from
//! `examples/`), served on 127.0.0.1 for Chromium and called in-process by the model, behind the
//! same logging as the scripted server.
//!
//! A scenario with `"app"` fetches `<app>/<path>?s=<id>`: the query keeps each scenario's URL
//! (and so Chromium's preflight cache key) unique, the apps route on the path alone, and the log
//! line goes to the scenario `s` names (a redirect hop without the query goes to the app's last
//! scenario: the scenarios run one at a time). Outside the app, a stand-in for a request-id
//! middleware adds `X-Request-ID` (which the apps expose) and `X-Response-Time` (which they do
//! not) to every response, so that a scenario can read both.

// Each example includes `examples/shared/serve.rs` as its own module, as the parity suite's
// `main.rs` allows too.
#![allow(clippy::duplicate_mod)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body as AxumBody;
use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_service::Service;

use crate::scenarios::Scenario;
use crate::server::{Addresses, Body, ScriptedService};

#[allow(dead_code)]
#[path = "../../examples/django_settings.rs"]
mod django_settings;
#[allow(dead_code)]
#[path = "../../examples/fastapi_production.rs"]
mod fastapi_production;
#[allow(dead_code)]
#[path = "../../examples/flask_advanced.rs"]
mod flask_advanced;

/// The apps, by the name scenarios use.
pub const APPS: &[&str] = &["fastapi_production", "flask_advanced", "django_settings"];

/// The app's router as its `main` builds it. `fastapi_production` reads its origins from
/// `CORS_ORIGINS`; here that variable adds the suite's `http://localhost:<page port>` page to
/// the guide's list (what a deployment would do for its frontend).
fn router(app: &str, addresses: &Addresses) -> Router {
    match app {
        "fastapi_production" => {
            let defaults = fastapi_production::default_settings();
            let mut origins = defaults.allow_origins.clone();
            origins.push(addresses.localhost_origin.clone());
            let origins = serde_json::to_string(&origins).unwrap();
            let settings = defaults
                .with_vars("CORS_", |name| {
                    (name == "CORS_ORIGINS").then(|| Ok(origins.clone()))
                })
                .expect("CORS_ORIGINS");
            fastapi_production::app(&settings).expect("fastapi_production app")
        }
        "flask_advanced" => flask_advanced::app().expect("flask_advanced app"),
        "django_settings" => django_settings::app().expect("django_settings app"),
        other => panic!("unknown app {other:?} (one of {APPS:?})"),
    }
}

struct Shared {
    /// Scenario id -> the `Origin` the scenario's page sends (logged as `$ORIGIN`).
    origins: HashMap<String, String>,
    last_id: Mutex<String>,
    log: ScriptedService,
}

/// One app behind the suite's logging and the request-id stand-in. Cheap to clone.
#[derive(Clone)]
pub struct AppService {
    router: Router,
    shared: Arc<Shared>,
}

impl AppService {
    pub fn new(
        app: &str,
        addresses: &Addresses,
        scenarios: &[Scenario],
        log: ScriptedService,
    ) -> Self {
        let origins = scenarios
            .iter()
            .filter(|s| s.app.as_deref() == Some(app))
            .map(|s| (s.id.clone(), addresses.origin_of(s)))
            .collect();
        AppService {
            router: router(app, addresses),
            shared: Arc::new(Shared {
                origins,
                last_id: Mutex::new(String::new()),
                log,
            }),
        }
    }

    /// Logs the request like the scripted server does (`OPTIONS <path> origin=.. acrm=..
    /// [acrh=..]` for a preflight, `<METHOD> <path> origin=..[ authorization]` otherwise).
    fn log(&self, method: &Method, path: &str, query: Option<&str>, headers: &HeaderMap) {
        let id = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|kv| kv.strip_prefix("s="))
            .map(str::to_owned);
        let id = {
            let mut last = self.shared.last_id.lock().unwrap();
            if let Some(id) = id {
                *last = id;
            }
            last.clone()
        };
        let text = |name: &str| {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap_or("(not utf-8)"))
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        };
        let origin = match text("origin") {
            None => "origin=(none)".to_owned(),
            Some(o) if self.shared.origins.get(&id) == Some(&o) && o != "null" => {
                "origin=$ORIGIN".to_owned()
            }
            Some(o) => format!("origin={o}"),
        };
        let line = match text("access-control-request-method") {
            Some(acrm) if method == Method::OPTIONS => {
                let mut line = format!("OPTIONS {path} {origin} acrm={acrm}");
                if let Some(acrh) = text("access-control-request-headers") {
                    line.push_str(&format!(" acrh={acrh}"));
                }
                line
            }
            _ => {
                let auth = if headers.contains_key("authorization") {
                    " authorization"
                } else {
                    ""
                };
                format!("{method} {path} {origin}{auth}")
            }
        };
        self.shared.log.log(&id, line);
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Service<Request<Body>> for AppService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        self.log(
            req.method(),
            req.uri().path(),
            req.uri().query(),
            req.headers(),
        );
        let router = self.router.clone();
        Box::pin(async move {
            let response = router
                .oneshot(req.map(AxumBody::new))
                .await
                .unwrap_or_else(|e| match e {});
            let (mut parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            // The request-id middleware stand-in (outside the app, so after its CORS layer).
            parts
                .headers
                .insert("x-request-id", HeaderValue::from_static("req-7f3a"));
            parts
                .headers
                .insert("x-response-time", HeaderValue::from_static("3ms"));
            Ok(Response::from_parts(parts, Full::new(bytes)))
        })
    }
}

/// Serves an app on a listener already bound.
pub fn serve_app(listener: TcpListener, service: AppService) {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let mut service = service.clone();
                    async move {
                        // The apps read bodies (the POST routes), so the body is passed on.
                        let (parts, body) = req.into_parts();
                        let bytes = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        service
                            .call(Request::from_parts(parts, Full::new(bytes)))
                            .await
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}
