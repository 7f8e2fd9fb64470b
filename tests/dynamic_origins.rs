//! Allowlists replaced at run time and asynchronous origin lookups, over real servers.

mod common;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use common::{pairs, send, serve_axum, PREFLIGHT_VARY};
use http::StatusCode;
use tokio::sync::Notify;
use tower_cors::{ConfigError, CorsLayer, CorsPolicy, OriginAllowlist};

fn origin(generation: u64) -> String {
    format!("https://g{generation}.example")
}

/// List `k` holds generations `k` and `k + 1`, so a client that read generation `k` before it
/// sent is allowed by list `k - 1` and list `k` alike, and refused only from list `k + 1` on.
fn list(k: u64) -> [String; 2] {
    [origin(k), origin(k + 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapping_the_allowlist_under_load_never_gives_a_torn_answer() {
    let allowlist = OriginAllowlist::new(list(0)).unwrap();
    let policy = CorsPolicy::builder()
        .allow_origin_list(allowlist.clone())
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .build()
        .unwrap();
    let addr = serve_axum(
        Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(CorsLayer::new(policy)),
    )
    .await;

    let generation = Arc::new(AtomicU64::new(0));
    const SWAPS: u64 = 3000;
    let swapper = {
        let generation = generation.clone();
        tokio::spawn(async move {
            for k in 1..=SWAPS {
                generation.store(k, Ordering::SeqCst);
                allowlist.replace(list(k)).unwrap();
                tokio::task::yield_now().await;
            }
        })
    };

    let strict = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let generation = generation.clone();
        let strict = strict.clone();
        clients.push(tokio::spawn(async move {
            let mut answered = 0;
            for _ in 0..150 {
                let before = generation.load(Ordering::SeqCst);
                let o = origin(before);
                let a = send(addr, "GET", "/", &[("origin", &o)]).await;
                let after = generation.load(Ordering::SeqCst);
                assert_eq!(a.status, StatusCode::OK);
                assert_eq!(&a.body[..], b"ok");
                let granted = pairs(&[
                    ("access-control-allow-origin", &o),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-expose-headers", "x-request-id"),
                    ("vary", "Origin"),
                ]);
                let refused = pairs(&[("vary", "Origin")]);
                if before == after {
                    strict.fetch_add(1, Ordering::Relaxed);
                    assert_eq!(a.cors(), granted, "generation {before}");
                } else {
                    assert!(
                        a.cors() == granted || a.cors() == refused,
                        "torn answer {:?}",
                        a.cors()
                    );
                }
                answered += 1;
            }
            answered
        }));
    }
    let mut total = 0;
    for c in clients {
        total += c.await.unwrap();
    }
    swapper.await.unwrap();
    assert_eq!(total, 8 * 150, "every request got an answer");
    assert!(
        strict.load(Ordering::Relaxed) > 0,
        "some requests must be checked exactly"
    );
    assert_eq!(generation.load(Ordering::SeqCst), SWAPS);
}

#[tokio::test]
async fn a_replaced_list_takes_effect_at_once_and_a_bad_one_changes_nothing() {
    let tenants = OriginAllowlist::empty();
    let policy = CorsPolicy::builder()
        .allow_origin_list(tenants.clone())
        .build()
        .unwrap();
    let addr = serve_axum(
        Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(CorsLayer::new(policy)),
    )
    .await;
    let acme = [("origin", "https://acme.example")];
    assert_eq!(
        send(addr, "GET", "/", &acme).await.cors(),
        pairs(&[("vary", "Origin")])
    );

    tenants
        .replace(["https://acme.example", "https://*.globex.example"])
        .unwrap();
    assert_eq!(tenants.len(), 2);
    let a = send(addr, "GET", "/", &acme).await;
    assert_eq!(
        a.header("access-control-allow-origin"),
        "https://acme.example"
    );
    let a = send(addr, "GET", "/", &[("origin", "https://eu.globex.example")]).await;
    assert_eq!(
        a.header("access-control-allow-origin"),
        "https://eu.globex.example"
    );

    let err = tenants
        .replace(["https://initech.example", "https://initech.example/app"])
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidOrigin { .. }));
    assert!(
        tenants.allows("https://acme.example"),
        "the old list stays in force"
    );
    assert!(!tenants.allows("https://initech.example"));
    assert!(OriginAllowlist::new(["*"]).is_err());
}

#[tokio::test]
async fn async_lookups_decide_preflights_and_overlap_with_the_handler() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let handler_started = Arc::new(Notify::new());
    let policy = {
        let lookups = lookups.clone();
        let handler_started = handler_started.clone();
        CorsPolicy::builder()
            .allow_origins(["https://static.example"])
            .allow_origin_async_fn(move |origin, parts| {
                lookups.fetch_add(1, Ordering::SeqCst);
                let allowed = origin.as_bytes().ends_with(b".tenant.example");
                // For actual requests, answer only once the handler runs: proves the two overlap.
                let wait = (parts.method != http::Method::OPTIONS).then(|| handler_started.clone());
                async move {
                    if let Some(n) = wait {
                        n.notified().await;
                    }
                    allowed
                }
            })
            .allow_methods(["PUT"])
            .build()
            .unwrap()
    };
    let app = {
        let handler_started = handler_started.clone();
        Router::new()
            .route(
                "/items",
                get(move || {
                    let handler_started = handler_started.clone();
                    async move {
                        handler_started.notify_one();
                        "items"
                    }
                }),
            )
            .layer(CorsLayer::new(policy))
    };
    let addr = serve_axum(app).await;

    let a = send(
        addr,
        "OPTIONS",
        "/items",
        &[
            ("origin", "https://acme.tenant.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", "https://acme.tenant.example"),
            ("access-control-allow-methods", "PUT"),
            ("vary", PREFLIGHT_VARY),
        ])
    );
    let a = send(
        addr,
        "OPTIONS",
        "/items",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.cors(), pairs(&[("vary", PREFLIGHT_VARY)]));

    let a = tokio::time::timeout(
        Duration::from_secs(10),
        send(
            addr,
            "GET",
            "/items",
            &[("origin", "https://acme.tenant.example")],
        ),
    )
    .await
    .expect("the lookup waits for the handler, so they must run together");
    assert_eq!(&a.body[..], b"items");
    assert_eq!(
        a.cors(),
        pairs(&[
            ("access-control-allow-origin", "https://acme.tenant.example"),
            ("vary", "Origin")
        ])
    );
    let a = send(addr, "GET", "/items", &[("origin", "https://evil.example")]).await;
    assert_eq!(&a.body[..], b"items");
    assert_eq!(a.cors(), pairs(&[("vary", "Origin")]));
    assert_eq!(lookups.load(Ordering::SeqCst), 4);

    // Origins a synchronous rule allows, no Origin and malformed origins never reach the lookup.
    send(
        addr,
        "GET",
        "/items",
        &[("origin", "https://static.example")],
    )
    .await;
    send(addr, "GET", "/items", &[]).await;
    send(addr, "GET", "/items", &[("origin", "null")]).await;
    assert_eq!(lookups.load(Ordering::SeqCst), 4);
}

#[test]
fn refusal_cannot_wait_for_an_async_lookup() {
    let err = CorsPolicy::builder()
        .allow_origin_async_fn(|_, _| async { true })
        .refuse_disallowed_origins(true)
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::RefusalWithAsyncPredicate);
    assert!(err.to_string().starts_with(
        "refuse_disallowed_origins(true) cannot be combined with allow_origin_async_fn"
    ));
}
