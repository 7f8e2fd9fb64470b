//! Every CORS decision is one `tracing` event with the fields operators filter on.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use tower::{service_fn, ServiceExt};
use tower_cors::{CorsLayer, CorsPolicy};
use tower_layer::Layer as _;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

type Events = Arc<Mutex<Vec<BTreeMap<String, String>>>>;

/// Records each event's fields as text.
struct Capture(Events);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "tower_cors" {
            return;
        }
        let mut fields = BTreeMap::new();
        fields.insert("level".to_owned(), event.metadata().level().to_string());
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn one_event_per_decision_with_origin_method_path_outcome_and_reason() {
    let events: Events = Arc::default();
    let subscriber = tracing_subscriber::registry().with(Capture(events.clone()));
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let policy = CorsPolicy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let service = CorsLayer::new(policy).layer(service_fn(|_: Request<String>| async {
        Ok::<_, std::convert::Infallible>(Response::new(String::new()))
    }));
    let send = |method: &str, path: &str, headers: &[(&str, &str)]| {
        let mut b = Request::builder().method(method).uri(path);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        runtime
            .block_on(service.clone().oneshot(b.body(String::new()).unwrap()))
            .unwrap();
    };
    send("GET", "/a", &[("origin", "https://app.example.com")]);
    send(
        "OPTIONS",
        "/b",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "DELETE"),
        ],
    );
    send("GET", "/c?x=1", &[("origin", "https://evil.example")]);
    send("GET", "/d", &[]);

    let got = events.lock().unwrap().clone();
    assert_eq!(
        got,
        vec![
            map(&[
                ("level", "DEBUG"),
                ("origin", "Some(\"https://app.example.com\")"),
                ("method", "GET"),
                ("path", "/a"),
                ("outcome", "allowed"),
            ]),
            map(&[
                ("level", "DEBUG"),
                ("origin", "Some(\"https://app.example.com\")"),
                ("method", "OPTIONS"),
                ("path", "/b"),
                ("outcome", "preflight-rejected"),
                ("reason", "method \"DELETE\" is not allowed"),
            ]),
            map(&[
                ("level", "DEBUG"),
                ("origin", "Some(\"https://evil.example\")"),
                ("method", "GET"),
                ("path", "/c"),
                ("outcome", "rejected"),
                ("reason", "origin \"https://evil.example\" is not allowed"),
            ]),
            map(&[
                ("level", "TRACE"),
                ("method", "GET"),
                ("path", "/d"),
                ("outcome", "not-cors")
            ]),
        ]
    );
}
