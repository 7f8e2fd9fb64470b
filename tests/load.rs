//! Under load: a real hyper server with the layer on 127.0.0.1, 32 concurrent clients sending
//! 100 requests each (allowed, disallowed, preflights, no Origin, mixed), every response checked
//! exactly and matched to its request, none lost. Bounded in count and time.

mod common;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::service_fn;
use tower_cors::{CorsLayer, CorsPolicy};
use tower_layer::Layer;

const TASKS: usize = 32;
const PER_TASK: usize = 100;
const APP: &str = "https://app.example.com";

fn policy() -> CorsPolicy {
    CorsPolicy::builder()
        .allow_origins([APP, "https://*.example.org"])
        .allow_methods(["GET", "PUT", "DELETE"])
        .allow_headers(["content-type", "x-seq"])
        .expose_headers(["x-seq"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Allowed,
    Pattern,
    Disallowed,
    Preflight,
    RejectedPreflight,
    NoOrigin,
}

const KINDS: [Kind; 6] = [
    Kind::Allowed,
    Kind::Pattern,
    Kind::Disallowed,
    Kind::Preflight,
    Kind::RejectedPreflight,
    Kind::NoOrigin,
];

fn pairs(p: &[(&str, String)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = p
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_get_exact_answers_and_none_is_lost() {
    let inner_calls = Arc::new(AtomicUsize::new(0));
    let inner = {
        let calls = inner_calls.clone();
        service_fn(move |req: Request<hyper::body::Incoming>| {
            calls.fetch_add(1, Ordering::SeqCst);
            // Echo the sequence number so each answer is matched to its request.
            let seq = req.headers().get("x-seq").cloned();
            async move {
                let mut res = Response::new(Full::new(Bytes::from(format!(
                    "seq={}",
                    seq.as_ref().map_or("", |v| v.to_str().unwrap())
                ))));
                if let Some(seq) = seq {
                    res.headers_mut().insert("x-seq", seq);
                }
                Ok::<_, Infallible>(res)
            }
        })
    };
    let addr = common::serve_hyper(CorsLayer::new(policy()).layer(inner)).await;

    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let answered = answered.clone();
        tasks.push(tokio::spawn(async move {
            let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
            for i in 0..PER_TASK {
                let seq = format!("{t}-{i}");
                let kind = KINDS[(t + i) % KINDS.len()];
                let origin = match kind {
                    Kind::Allowed | Kind::Preflight => Some(APP.to_owned()),
                    Kind::Pattern => Some(format!("https://tenant{t}.example.org")),
                    Kind::Disallowed | Kind::RejectedPreflight => {
                        Some(format!("https://app.example.com.evil{t}.net"))
                    }
                    Kind::NoOrigin => None,
                };
                let preflight = matches!(kind, Kind::Preflight | Kind::RejectedPreflight);
                let mut req = Request::builder()
                    .method(if preflight { "OPTIONS" } else { "GET" })
                    .uri(format!("http://{addr}/items/{seq}"))
                    .header("x-seq", &seq);
                if let Some(o) = &origin {
                    req = req.header("origin", o);
                }
                if preflight {
                    req = req
                        .header("access-control-request-method", "PUT")
                        .header("access-control-request-headers", "content-type,x-seq");
                }
                let res = tokio::time::timeout(
                    Duration::from_secs(20),
                    client.request(req.body(Full::new(Bytes::new())).unwrap()),
                )
                .await
                .unwrap_or_else(|_| panic!("{seq}: no answer within 20 s"))
                .unwrap_or_else(|e| panic!("{seq}: {e}"));
                let (parts, body) = res.into_parts();
                let body = body.collect().await.unwrap().to_bytes();
                let cors = {
                    let mut v: Vec<(String, String)> = parts
                        .headers
                        .iter()
                        .filter(|(n, _)| {
                            n.as_str().starts_with("access-control-") || n.as_str() == "vary"
                        })
                        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                        .collect();
                    v.sort();
                    v
                };
                let ctx = format!("{seq} {kind:?}");
                match kind {
                    Kind::Allowed | Kind::Pattern => {
                        assert_eq!(parts.status, StatusCode::OK, "{ctx}");
                        assert_eq!(body, format!("seq={seq}"), "{ctx}");
                        assert_eq!(
                            cors,
                            pairs(&[
                                ("access-control-allow-origin", origin.unwrap()),
                                ("access-control-allow-credentials", "true".into()),
                                ("access-control-expose-headers", "x-seq".into()),
                                ("vary", "Origin".into()),
                            ]),
                            "{ctx}"
                        );
                    }
                    Kind::Disallowed | Kind::NoOrigin => {
                        assert_eq!(parts.status, StatusCode::OK, "{ctx}");
                        assert_eq!(body, format!("seq={seq}"), "{ctx}");
                        assert_eq!(cors, pairs(&[("vary", "Origin".into())]), "{ctx}");
                    }
                    Kind::Preflight => {
                        assert_eq!(parts.status, StatusCode::NO_CONTENT, "{ctx}");
                        assert_eq!(body, "", "{ctx}");
                        assert_eq!(
                            cors,
                            pairs(&[
                                ("access-control-allow-origin", APP.into()),
                                ("access-control-allow-credentials", "true".into()),
                                ("access-control-allow-methods", "GET, PUT, DELETE".into()),
                                ("access-control-allow-headers", "content-type, x-seq".into()),
                                ("access-control-max-age", "600".into()),
                                ("vary", common::PREFLIGHT_VARY.into()),
                            ]),
                            "{ctx}"
                        );
                    }
                    Kind::RejectedPreflight => {
                        assert_eq!(parts.status, StatusCode::FORBIDDEN, "{ctx}");
                        assert_eq!(body, "", "{ctx}");
                        assert_eq!(
                            cors,
                            pairs(&[("vary", common::PREFLIGHT_VARY.into())]),
                            "{ctx}"
                        );
                    }
                }
                answered.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let all = tokio::time::timeout(Duration::from_secs(120), async {
        for t in tasks {
            t.await.unwrap();
        }
    })
    .await;
    assert!(all.is_ok(), "the load did not finish within 120 s");

    let total = TASKS * PER_TASK;
    assert_eq!(answered.load(Ordering::SeqCst), total, "answers lost");
    // Preflights never reach the inner service; everything else does, exactly once.
    let preflights = (0..TASKS)
        .flat_map(|t| (0..PER_TASK).map(move |i| KINDS[(t + i) % KINDS.len()]))
        .filter(|k| matches!(k, Kind::Preflight | Kind::RejectedPreflight))
        .count();
    assert_eq!(inner_calls.load(Ordering::SeqCst), total - preflights);
}
