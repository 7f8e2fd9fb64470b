//! Full evaluation of arbitrary requests, through the real layer, against several policies.
//!
//! Input: one byte choosing the policy, then the request as text: a method line and
//! `name: value` lines (see `seeds/evaluate/`). Every invariant is asserted on every answer.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tower_cors::CorsPolicy;
use tower_cors_fuzz::{parse_request, run_and_check, Settings};

fn policies() -> &'static [(CorsPolicy, Settings)] {
    static POLICIES: OnceLock<Vec<(CorsPolicy, Settings)>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let b = CorsPolicy::builder;
        let plain = Settings::default();
        vec![
            (
                b().allow_origins(["https://app.example.com", "http://localhost:3000", "null"])
                    .allow_methods(["GET", "PUT", "patch"])
                    .allow_headers(["content-type", "authorization"])
                    .expose_headers(["x-request-id"])
                    .allow_credentials(true)
                    .max_age(Duration::from_secs(600))
                    .build()
                    .unwrap(),
                plain,
            ),
            (
                b().allow_any_origin()
                    .allow_methods(["*"])
                    .allow_headers(["*"])
                    .expose_headers(["*"])
                    .build()
                    .unwrap(),
                plain,
            ),
            (
                b().allow_origins(["https://*.example.com", "http://*.localhost:*"])
                    .allow_origin_regex(r"https://[a-z0-9-]+\.example\.net(:8443)?")
                    .allow_any_method()
                    .allow_any_header()
                    .allow_credentials(true)
                    .allow_private_network(true)
                    .request_header_limits(64, 4)
                    .build()
                    .unwrap(),
                plain,
            ),
            (
                b().dangerously_reflect_any_origin()
                    .allow_credentials(true)
                    .allow_any_header()
                    .refuse_disallowed_origins(true)
                    .build()
                    .unwrap(),
                Settings {
                    refuse: true,
                    ..plain
                },
            ),
            (
                b().allow_origin_fn(|o, _| o.as_bytes().ends_with(b".tenant.test"))
                    .allow_origins(["https://app.example.com"])
                    .preflight_passthrough(true)
                    .refuse_disallowed_origins(true)
                    .build()
                    .unwrap(),
                Settings {
                    passthrough: true,
                    refuse: true,
                },
            ),
            (
                b().allow_origin_list(
                    tower_cors::OriginAllowlist::new([
                        "https://tenant.example",
                        "https://*.tenant.example:*",
                        "null",
                    ])
                    .unwrap(),
                )
                .allow_origins(["http://localhost:*"])
                .allow_methods(["GET", "DELETE"])
                .allow_any_header()
                .build()
                .unwrap(),
                plain,
            ),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let [choice, text @ ..] = data else { return };
    let all = policies();
    let (policy, settings) = &all[usize::from(*choice) % all.len()];
    if let Some(request) = parse_request(text) {
        run_and_check(policy, *settings, request);
    }
});
