//! The layer's contract with the service it wraps: readiness, errors, and which requests reach
//! it. (Over TCP in axum_layer.rs and hyper_service.rs; here the inner service is instrumented.)

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use tower::{service_fn, Service, ServiceExt};
use tower_cors::{CorsLayer, CorsPolicy};
use tower_layer::Layer;

fn policy() -> CorsPolicy {
    CorsPolicy::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .unwrap()
}

fn request(method: &str, headers: &[(&str, &str)]) -> Request<String> {
    let mut b = Request::builder().method(method).uri("/x");
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.body(String::new()).unwrap()
}

#[tokio::test]
async fn inner_errors_pass_through_untouched() {
    let failing =
        service_fn(|_: Request<String>| async { Err::<Response<String>, _>("database down") });
    let mut svc = CorsLayer::new(policy()).layer(failing);
    let err = svc
        .ready()
        .await
        .unwrap()
        .call(request("GET", &[("origin", "https://app.example.com")]))
        .await
        .unwrap_err();
    assert_eq!(err, "database down");
}

#[tokio::test]
async fn preflights_never_reach_the_inner_service_and_the_rest_always_do() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = {
        let calls = calls.clone();
        service_fn(move |_: Request<String>| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(String::from("inner"))) }
        })
    };
    let svc = CorsLayer::new(policy()).layer(counted);
    let preflight = request(
        "OPTIONS",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "GET"),
        ],
    );
    let r = svc.clone().oneshot(preflight).await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.body(), "");
    let rejected = request(
        "OPTIONS",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "GET"),
        ],
    );
    assert_eq!(
        svc.clone().oneshot(rejected).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    for req in [
        request("GET", &[]),
        request("GET", &[("origin", "https://evil.example")]),
        request("OPTIONS", &[("origin", "https://app.example.com")]),
        request("POST", &[("origin", "https://app.example.com")]),
    ] {
        assert_eq!(svc.clone().oneshot(req).await.unwrap().body(), "inner");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

/// A service that is ready only after being polled once, to see readiness is delegated.
#[derive(Clone, Default)]
struct SlowToStart {
    polled: bool,
}

impl Service<Request<String>> for SlowToStart {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if self.polled {
            Poll::Ready(Ok(()))
        } else {
            self.polled = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    fn call(&mut self, _: Request<String>) -> Self::Future {
        std::future::ready(Ok(Response::new("ready".into())))
    }
}

#[tokio::test]
async fn poll_ready_is_the_inner_services() {
    let mut svc = CorsLayer::new(policy()).layer(SlowToStart::default());
    let waker = futures_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(svc.poll_ready(&mut cx).is_pending());
    assert!(matches!(svc.poll_ready(&mut cx), Poll::Ready(Ok(()))));
    assert!(svc.get_ref().polled);
    let r = svc.call(request("GET", &[])).await.unwrap();
    assert_eq!(r.body(), "ready");
}

fn futures_waker() -> std::task::Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    std::task::Waker::from(Arc::new(Noop))
}
