#!/usr/bin/env python3
"""Record golden CORS responses from the guide's own Python apps, run on the real libraries.

    python record.py                 # record every configuration into goldens/
    python record.py --only NAME...  # record only these configurations (NAME or NAME.VARIANT)
    python record.py --list          # print configurations, variants and scenario counts

Each (configuration, variant) runs in its own subprocess, with an environment built from scratch
(only the variant's variables, e.g. ENVIRONMENT=production) and an empty temporary working
directory (so no `.env` file is read), so no settings, module state or environment leak from one
configuration into the next. Inside it the app is driven by the library's own test client, so the
real middleware runs: Starlette's TestClient (FastAPI), Flask's test_client, Django's test Client.

See README.md for the goldens format.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

HERE = Path(__file__).resolve().parent
GOLDENS = HERE / "goldens"

# Response headers recorded besides access-control-* and vary: the application headers the guide's
# apps set and expose through CORS (their values are part of what the Rust examples must serve).
APP_HEADERS = {
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-total-count",
    "x-request-id",
    "x-custom-header",
}
MAX_BODY = 2048  # bodies larger than this are not recorded
MAX_TEXT = 200

# --------------------------------------------------------------------------------------------
# Scenario matrix
# --------------------------------------------------------------------------------------------

# (slug, Origin value). Used for a simple GET and a preflight on the configuration's main path.
ORIGINS = [
    ("localhost-3000", "http://localhost:3000"),
    ("localhost-8080", "http://localhost:8080"),
    ("localhost-5173", "http://localhost:5173"),
    ("localhost-no-port", "http://localhost"),
    ("ip-127-3000", "http://127.0.0.1:3000"),
    ("ip-127-8080", "http://127.0.0.1:8080"),
    ("myapp", "https://myapp.com"),
    ("www-myapp", "https://www.myapp.com"),
    ("app-myapp", "https://app.myapp.com"),
    ("staging-myapp", "https://staging.myapp.com"),
    ("deep-sub-myapp", "https://a.b.myapp.com"),
    ("myapp-http-scheme", "http://myapp.com"),
    ("myapp-default-port-443", "https://myapp.com:443"),
    ("localhost-default-port-80", "http://localhost:80"),
    ("myapp-port-8443", "https://myapp.com:8443"),
    ("myapp-trailing-slash", "https://myapp.com/"),
    ("localhost-3000-trailing-slash", "http://localhost:3000/"),
    ("myapp-with-path", "https://myapp.com/app"),
    ("localhost-3000-upper", "HTTP://LOCALHOST:3000"),
    ("localhost-3000-mixed-case", "http://LocalHost:3000"),
    ("myapp-mixed-case", "https://MyApp.com"),
    ("sub-myapp-upper", "https://API.MYAPP.COM"),
    ("suffix-myapp-com-evil-net", "https://myapp.com.evil.net"),
    ("prefix-evilmyapp", "https://evilmyapp.com"),
    ("sub-suffix-x-myapp-com-evil-net", "https://x.myapp.com.evil.net"),
    ("suffix-localhost-3000-evil", "http://localhost:3000.evil.net"),
    ("userinfo-myapp-at-evil", "https://myapp.com@evil.net"),
    ("dot-myapp", "https://.myapp.com"),
    ("evil", "https://evil.com"),
    ("null", "null"),
    ("file-scheme", "file://"),
    ("star", "*"),
    ("malformed-not-a-url", "not a url"),
    ("malformed-bracket", "https://myapp.com]"),
    ("empty", ""),
]

METHODS = [  # (slug, ACRM)
    ("get", "GET"),
    ("head", "HEAD"),
    ("post", "POST"),
    ("put", "PUT"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
    ("options", "OPTIONS"),
    ("query", "QUERY"),
    ("trace", "TRACE"),
    ("custom-purge", "PURGE"),
    ("put-lower", "put"),
    ("post-lower", "post"),
    ("patch-lower", "patch"),
    ("substring-et", "ET"),
    ("list-put-delete", "PUT, DELETE"),
    ("empty", ""),
]

REQUEST_HEADERS = [  # (slug, ACRH)
    ("content-type", "Content-Type"),
    ("content-type-lower", "content-type"),
    ("content-type-upper", "CONTENT-TYPE"),
    ("authorization", "Authorization"),
    ("content-type-authorization", "Content-Type, Authorization"),
    ("authorization-content-type", "authorization,content-type"),
    ("mixed-case-pair", "CONTENT-TYPE, AUTHORIZATION"),
    ("x-requested-with", "X-Requested-With"),
    ("x-request-id", "X-Request-ID"),
    ("x-csrftoken", "x-csrftoken"),
    ("dnt-user-agent", "dnt, user-agent"),
    ("safelisted", "Accept, Accept-Language, Content-Language"),
    ("bad-x-custom", "X-Custom-Header"),
    ("mixed-good-bad", "Content-Type, X-Custom-Header"),
    ("empty-item-trailing", "Content-Type,"),
    ("empty-item-leading", ",Content-Type"),
    ("empty-item-middle", "Content-Type,,Authorization"),
    # Whitespace around the items only inside the value: HTTP servers strip a field value's
    # leading/trailing whitespace, the in-process test clients do not, so the goldens keep to what
    # a real server would hand the middleware.
    ("ows", "content-type ,  authorization"),
    ("empty-value", ""),
]

JSON_BODY = '{"name": "Test User", "value": 42}'


@dataclass
class Profile:
    """Which paths of a configuration's app the matrix exercises."""

    main: str                       # a GET route; also the target of the origin preflights
    primary: str = "http://localhost:3000"  # an allowed origin, for the method/header matrix
    post: Optional[str] = None      # a route that takes a JSON POST
    private: Optional[str] = None   # a GET route that wants `Authorization: Bearer ...`
    custom_options: Optional[str] = None  # a route with its own OPTIONS handler
    extra: Optional[Callable[["Scenarios", "Profile"], None]] = None
    scope_paths: tuple = ("/apiary", "/other", "/api", "/api/does-not-exist")


class Scenarios:
    def __init__(self) -> None:
        self.items: list[dict] = []
        self._ids: set[str] = set()

    def add(self, sid: str, method: str, path: str, headers=(), body: Optional[str] = None,
            repeat: Optional[int] = None) -> None:
        if sid in self._ids:
            raise ValueError(f"duplicate scenario id {sid}")
        self._ids.add(sid)
        req = {"method": method, "path": path, "headers": [[n, v] for n, v in headers]}
        if body is not None:
            req["body"] = body
        if repeat is not None:
            req["repeat"] = repeat
        self.items.append({"id": sid, "request": req})


def origin_h(origin: Optional[str]):
    return [] if origin is None else [("Origin", origin)]


def preflight_h(origin: Optional[str], method: Optional[str], req_headers: Optional[str] = None):
    h = origin_h(origin)
    if method is not None:
        h.append(("Access-Control-Request-Method", method))
    if req_headers is not None:
        h.append(("Access-Control-Request-Headers", req_headers))
    return h


def build_scenarios(p: Profile) -> list[dict]:
    s = Scenarios()
    o = p.primary
    pre_path = p.post or p.main

    # 1. Simple GET on the main path, no Origin and every origin of the matrix.
    s.add("get-no-origin", "GET", p.main)
    for slug, origin in ORIGINS:
        s.add(f"get-origin-{slug}", "GET", p.main, origin_h(origin))

    # 2. Preflight (POST + Content-Type) on the main path from every origin of the matrix.
    for slug, origin in ORIGINS:
        s.add(f"pre-origin-{slug}", "OPTIONS", p.main, preflight_h(origin, "POST", "Content-Type"))

    # 3. Preflight method matrix, allowed origin, no ACRH.
    for slug, m in METHODS:
        s.add(f"pre-method-{slug}", "OPTIONS", pre_path, preflight_h(o, m))
    s.add("pre-bad-method-put-lower-evil-origin", "OPTIONS", pre_path, preflight_h("https://evil.com", "put"))

    # 4. Preflight request-headers matrix, allowed origin, ACRM POST.
    for slug, acrh in REQUEST_HEADERS:
        s.add(f"pre-headers-{slug}", "OPTIONS", pre_path, preflight_h(o, "POST", acrh))
    s.add("pre-headers-two-lines", "OPTIONS", pre_path,
          preflight_h(o, "POST", "Content-Type") + [("Access-Control-Request-Headers", "Authorization")])
    s.add("pre-full-put-json-auth", "OPTIONS", pre_path,
          preflight_h(o, "PUT", "authorization,content-type,x-requested-with"))

    # 5. Preflight edge cases.
    s.add("pre-no-origin", "OPTIONS", pre_path, preflight_h(None, "POST", "Content-Type"))
    s.add("pre-no-origin-bad-method", "OPTIONS", pre_path, preflight_h(None, "PURGE"))
    s.add("options-no-acrm", "OPTIONS", pre_path, origin_h(o))
    s.add("options-no-acrm-with-acrh", "OPTIONS", pre_path, origin_h(o) + [("Access-Control-Request-Headers", "Content-Type")])
    s.add("options-no-acrm-evil", "OPTIONS", pre_path, origin_h("https://evil.com"))
    s.add("options-bare", "OPTIONS", pre_path)
    s.add("pre-evil-origin-bad-header", "OPTIONS", pre_path, preflight_h("https://evil.com", "POST", "X-Custom-Header"))
    s.add("pre-null-origin", "OPTIONS", pre_path, preflight_h("null", "GET"))
    s.add("pre-private-network", "OPTIONS", p.main,
          preflight_h(o, "GET") + [("Access-Control-Request-Private-Network", "true")])
    s.add("pre-private-network-evil", "OPTIONS", p.main,
          preflight_h("https://evil.com", "GET") + [("Access-Control-Request-Private-Network", "true")])

    # 6. Simple-request variants on the main path.
    s.add("get-cookie", "GET", p.main, origin_h(o) + [("Cookie", "session_id=abc123")])
    s.add("get-cookie-evil", "GET", p.main, origin_h("https://evil.com") + [("Cookie", "session_id=abc123")])
    s.add("get-authorization", "GET", p.main, origin_h(o) + [("Authorization", "Bearer token123")])
    s.add("get-private-network", "GET", p.main, origin_h(o) + [("Access-Control-Request-Private-Network", "true")])
    s.add("get-two-origin-lines", "GET", p.main, [("Origin", o), ("Origin", "https://evil.com")])
    s.add("head-origin", "HEAD", p.main, origin_h(o))
    s.add("head-evil", "HEAD", p.main, origin_h("https://evil.com"))
    s.add("delete-method-not-allowed", "DELETE", p.main, origin_h(o))
    s.add("delete-method-not-allowed-evil", "DELETE", p.main, origin_h("https://evil.com"))

    # 7. Error responses and paths outside the CORS scope.
    for path in p.scope_paths:
        slug = path.strip("/").replace("/", "-") or "root"
        s.add(f"get-path-{slug}", "GET", path, origin_h(o))
        s.add(f"get-path-{slug}-evil", "GET", path, origin_h("https://evil.com"))
        s.add(f"pre-path-{slug}", "OPTIONS", path, preflight_h(o, "POST", "Content-Type"))

    # 8. JSON POST.
    if p.post:
        js = [("Content-Type", "application/json")]
        s.add("post-json", "POST", p.post, origin_h(o) + js, JSON_BODY)
        s.add("post-json-evil", "POST", p.post, origin_h("https://evil.com") + js, JSON_BODY)
        s.add("post-json-null-origin", "POST", p.post, origin_h("null") + js, JSON_BODY)
        s.add("post-json-no-origin", "POST", p.post, js, JSON_BODY)
        s.add("post-json-credentials", "POST", p.post,
              origin_h(o) + js + [("Authorization", "Bearer token123"), ("Cookie", "session_id=abc123")], JSON_BODY)
        s.add("post-invalid-json", "POST", p.post, origin_h(o) + js, "{not json")
        s.add("post-invalid-json-evil", "POST", p.post, origin_h("https://evil.com") + js, "{not json")
        s.add("post-text-plain", "POST", p.post, origin_h(o) + [("Content-Type", "text/plain")], "hello")

    # 9. Authenticated route.
    if p.private:
        s.add("private-no-auth", "GET", p.private, origin_h(o))
        s.add("private-no-auth-evil", "GET", p.private, origin_h("https://evil.com"))
        s.add("private-no-auth-no-origin", "GET", p.private)
        s.add("private-basic-auth", "GET", p.private, origin_h(o) + [("Authorization", "Basic dXNlcjpwYXNz")])
        s.add("private-bearer", "GET", p.private, origin_h(o) + [("Authorization", "Bearer abcdefghijklmnop")])
        s.add("private-bearer-cookie", "GET", p.private,
              origin_h(o) + [("Authorization", "Bearer abcdefghijklmnop"), ("Cookie", "session_id=abc123")])
        s.add("private-bearer-evil", "GET", p.private, origin_h("https://evil.com") + [("Authorization", "Bearer abcdefghijklmnop")])
        s.add("private-bearer-null-origin", "GET", p.private, origin_h("null") + [("Authorization", "Bearer abcdefghijklmnop")])
        s.add("private-bearer-no-origin", "GET", p.private, [("Authorization", "Bearer abcdefghijklmnop")])
        s.add("pre-private-authorization", "OPTIONS", p.private, preflight_h(o, "GET", "Authorization"))
        s.add("pre-private-authorization-evil", "OPTIONS", p.private, preflight_h("https://evil.com", "GET", "Authorization"))

    # 10. A route with its own OPTIONS handler.
    if p.custom_options:
        c = p.custom_options
        s.add("custom-options-no-acrm", "OPTIONS", c, origin_h(o))
        s.add("custom-options-no-acrm-evil", "OPTIONS", c, origin_h("https://evil.com"))
        s.add("custom-options-no-origin", "OPTIONS", c)
        s.add("custom-options-preflight", "OPTIONS", c, preflight_h(o, "POST", "Content-Type"))
        s.add("custom-options-preflight-evil", "OPTIONS", c, preflight_h("https://evil.com", "POST", "Content-Type"))
        s.add("custom-options-get", "GET", c, origin_h(o))

    if p.extra:
        p.extra(s, p)
    return s.items


# ---- per-configuration extra scenarios --------------------------------------------------------

def extra_fastapi_production(s: Scenarios, p: Profile) -> None:
    s.add("root-get", "GET", "/", origin_h(p.primary))
    s.add("root-get-evil", "GET", "/", origin_h("https://evil.com"))
    s.add("post-json-array", "POST", "/api/data", origin_h(p.primary) + [("Content-Type", "application/json")], "[1, 2]")


def extra_flask_advanced(s: Scenarios, p: Profile) -> None:
    sp = "/api/specific"
    for slug, origin in [("localhost-3000", "http://localhost:3000"), ("localhost-8080", "http://localhost:8080"),
                         ("myapp", "https://myapp.com"), ("evil", "https://evil.com"),
                         ("localhost-3000-upper", "HTTP://LOCALHOST:3000")]:
        s.add(f"specific-get-{slug}", "GET", sp, origin_h(origin))
    s.add("specific-get-no-origin", "GET", sp)
    s.add("specific-pre-get", "OPTIONS", sp, preflight_h("http://localhost:3000", "GET", "Content-Type"))
    s.add("specific-pre-post", "OPTIONS", sp, preflight_h("http://localhost:3000", "POST", "Content-Type"))
    s.add("specific-pre-authorization", "OPTIONS", sp, preflight_h("http://localhost:3000", "GET", "Authorization"))
    s.add("specific-pre-myapp", "OPTIONS", sp, preflight_h("https://myapp.com", "GET", "Content-Type"))
    s.add("specific-pre-evil", "OPTIONS", sp, preflight_h("https://evil.com", "GET"))
    s.add("specific-post-not-allowed", "POST", sp, origin_h("http://localhost:3000"))
    s.add("private-pre-evil-credentials", "OPTIONS", "/api/private",
          preflight_h("https://evil.com", "GET", "Authorization, X-Anything"))
    s.add("data-get-not-allowed", "GET", "/api/data", origin_h(p.primary))
    s.add("get-path-percent-encoded", "GET", "/api%2Fpublic", origin_h(p.primary))
    s.add("get-path-upper-api", "GET", "/API/public", origin_h(p.primary))


def extra_flask_blueprints(s: Scenarios, p: Profile) -> None:
    v2 = "/api/v2/users"
    for slug, origin in [("localhost-3000", "http://localhost:3000"), ("myapp", "https://myapp.com"),
                         ("myapp-upper", "HTTPS://MYAPP.COM"), ("evil", "https://evil.com")]:
        s.add(f"v2-get-{slug}", "GET", v2, origin_h(origin))
        s.add(f"v2-pre-{slug}", "OPTIONS", v2, preflight_h(origin, "PUT", "Content-Type"))
    s.add("v2-get-no-origin", "GET", v2)
    s.add("v2-pre-delete", "OPTIONS", v2, preflight_h("https://myapp.com", "DELETE"))
    s.add("v2-pre-patch", "OPTIONS", v2, preflight_h("https://myapp.com", "PATCH"))
    s.add("v2-get-cookie", "GET", v2, origin_h("https://myapp.com") + [("Cookie", "session_id=abc123")])


def extra_rate_limit(s: Scenarios, p: Profile) -> None:
    o = p.primary
    # The counters are per Origin header value ("unknown" without one); RATE_LIMIT is 100 an hour.
    s.add("rate-exhaust-localhost-3000", "GET", p.main, origin_h(o), repeat=100)
    s.add("rate-limited-get-localhost-3000", "GET", p.main, origin_h(o))
    s.add("rate-limited-preflight-localhost-3000", "OPTIONS", p.main, preflight_h(o, "GET", "Content-Type"))
    s.add("rate-limited-404-localhost-3000", "GET", "/api/does-not-exist", origin_h(o))
    s.add("rate-exhaust-evil", "GET", p.main, origin_h("https://evil.com"), repeat=100)
    s.add("rate-limited-get-evil", "GET", p.main, origin_h("https://evil.com"))
    s.add("rate-exhaust-no-origin", "GET", p.main, repeat=100)
    s.add("rate-limited-get-no-origin", "GET", p.main)
    s.add("rate-fresh-origin-localhost-8080", "GET", p.main, origin_h("http://localhost:8080"))


def extra_expose(s: Scenarios, p: Profile) -> None:
    s.add("get-expose-no-origin-headers", "GET", p.main, [("Accept", "application/json")])


# --------------------------------------------------------------------------------------------
# Configurations
# --------------------------------------------------------------------------------------------

@dataclass
class Variant:
    name: Optional[str] = None           # None: the configuration has a single variant
    env: dict = field(default_factory=dict)
    primary: Optional[str] = None        # overrides Profile.primary


@dataclass
class Config:
    name: str
    framework: str                       # fastapi | flask | django
    module: str                          # module under apps/ (for Django: the settings module)
    profile: Profile
    variants: list = field(default_factory=lambda: [Variant()])
    stateful: bool = False

    def keys(self):
        for v in self.variants:
            yield (f"{self.name}.{v.name}" if v.name else self.name), v


ENV_DEV_STAGING_PROD = [
    Variant("development", {}),  # the default: ENVIRONMENT unset
    Variant("staging", {"ENVIRONMENT": "staging"}, primary="https://staging.myapp.com"),
    Variant("production", {"ENVIRONMENT": "production"}, primary="https://myapp.com"),
]
DJANGO_MAIN = dict(main="/api/public/", post="/api/public/",
                   scope_paths=("/api/public", "/apiary", "/other", "/api", "/api/does-not-exist"))

CONFIGS: list[Config] = [
    # ---- FastAPI / Starlette ----
    Config("fastapi_basic", "fastapi", "fastapi_basic", Profile(main="/api/users")),
    Config("fastapi_production", "fastapi", "fastapi_production",
           Profile(main="/api/public", post="/api/data", private="/api/private",
                   custom_options="/api/custom", extra=extra_fastapi_production)),
    Config("fastapi_dynamic", "fastapi", "fastapi_dynamic", Profile(main="/api/data")),
    Config("fastapi_env", "fastapi", "fastapi_env", Profile(main="/api/users"), variants=ENV_DEV_STAGING_PROD),
    Config("fastapi_credentials", "fastapi", "fastapi_credentials", Profile(main="/api/users")),
    Config("fastapi_expose_headers", "fastapi", "fastapi_expose_headers", Profile(main="/api/users", extra=extra_expose)),
    Config("fastapi_conditional", "fastapi", "fastapi_conditional", Profile(main="/api/users")),
    Config("fastapi_rate_limit", "fastapi", "fastapi_rate_limit", Profile(main="/api/users", extra=extra_rate_limit),
           stateful=True),
    Config("fastapi_secure", "fastapi", "fastapi_secure", Profile(main="/api/users", primary="https://myapp.com")),
    Config("fastapi_origin_validation", "fastapi", "fastapi_origin_validation", Profile(main="/api/users")),
    Config("fastapi_security_headers", "fastapi", "fastapi_security_headers",
           Profile(main="/api/users", primary="https://myapp.com")),
    Config("fastapi_dev_prod", "fastapi", "fastapi_dev_prod", Profile(main="/api/users"), variants=[
        Variant("development", {}),
        Variant("production", {"ENVIRONMENT": "production"}, primary="https://myapp.com"),
    ]),
    Config("fastapi_metrics", "fastapi", "fastapi_metrics", Profile(main="/api/users", primary="https://myapp.com"),
           variants=[Variant(None, {"ENVIRONMENT": "production"})]),
    Config("fastapi_quick_reference", "fastapi", "fastapi_quick_reference",
           Profile(main="/api/users", primary="https://myapp.com")),
    # ---- Flask / flask-cors ----
    Config("flask_basic", "flask", "flask_basic", Profile(main="/api/users")),
    Config("flask_advanced", "flask", "flask_advanced",
           Profile(main="/api/public", post="/api/data", private="/api/private", extra=extra_flask_advanced)),
    Config("flask_blueprints", "flask", "flask_blueprints", Profile(main="/api/v1/users", extra=extra_flask_blueprints)),
    Config("flask_decorator", "flask", "flask_decorator", Profile(main="/api/custom", post="/api/custom")),
    # ---- Django / django-cors-headers ----
    Config("django_settings", "django", "django_settings", Profile(**DJANGO_MAIN)),
    Config("django_allow_all", "django", "django_allow_all", Profile(**DJANGO_MAIN)),
    Config("django_env", "django", "django_env", Profile(**DJANGO_MAIN), variants=ENV_DEV_STAGING_PROD),
    Config("django_middleware", "django", "django_middleware", Profile(**DJANGO_MAIN)),
    Config("django_views", "django", "django_views", Profile(**DJANGO_MAIN)),
]


def find(key: str):
    for c in CONFIGS:
        for k, v in c.keys():
            if k == key:
                return c, v
    raise SystemExit(f"unknown configuration {key!r}")


def scenarios_for(c: Config, v: Variant) -> list[dict]:
    p = c.profile if v.primary is None else replace(c.profile, primary=v.primary)
    return build_scenarios(p)


# --------------------------------------------------------------------------------------------
# Child: run one configuration with its framework's test client
# --------------------------------------------------------------------------------------------

def keep_header(name: str) -> bool:
    n = name.lower()
    return n.startswith("access-control-") or n == "vary" or n in APP_HEADERS


def record_response(status: int, header_items, content_type: str, body: bytes) -> dict:
    headers: dict = {}
    for name, value in header_items:
        if not keep_header(name):
            continue
        n = name.lower()
        if n in headers:
            prev = headers[n]
            headers[n] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            headers[n] = value
    out = {"status": status, "headers": headers}
    ct = (content_type or "").lower()
    if body and len(body) <= MAX_BODY and "json" in ct:
        try:
            out["body_json"] = json.loads(body.decode("utf-8"))
        except ValueError:
            pass
    elif body and len(body) <= MAX_TEXT and ct.startswith("text/plain"):
        out["body_text"] = body.decode("utf-8", "replace")
    return out


def merged_headers(headers):
    """Duplicate request header lines joined with ", " (what a WSGI server does)."""
    merged: dict = {}
    for n, v in headers:
        key = next((k for k in merged if k.lower() == n.lower()), n)
        merged[key] = f"{merged[key]}, {v}" if key in merged else v
    return merged


def make_sender(framework: str, module: str):
    if framework == "fastapi":
        import importlib
        from starlette.testclient import TestClient

        app = importlib.import_module(f"apps.{module}").app
        client = TestClient(app, raise_server_exceptions=False)

        def send(req):
            r = client.request(req["method"], req["path"], headers=[tuple(h) for h in req["headers"]],
                               content=req.get("body"))
            return record_response(r.status_code, r.headers.multi_items(), r.headers.get("content-type", ""),
                                   r.content)
        return send

    if framework == "flask":
        import importlib

        app = importlib.import_module(f"apps.{module}").app
        client = app.test_client()

        def send(req):
            body = req.get("body")
            r = client.open(req["path"], method=req["method"], headers=[tuple(h) for h in req["headers"]],
                            data=body.encode() if body is not None else None)
            return record_response(r.status_code, r.headers.items(), r.headers.get("Content-Type", ""), r.get_data())
        return send

    if framework == "django":
        os.environ["DJANGO_SETTINGS_MODULE"] = f"apps.{module}"
        import django
        from django.test import Client

        django.setup()
        client = Client(raise_request_exception=False)

        def send(req):
            hdrs = merged_headers(req["headers"])
            ct = None
            for k in list(hdrs):
                if k.lower() == "content-type":
                    ct = hdrs.pop(k)
            body = req.get("body")
            kwargs = {"headers": hdrs}
            if ct is not None:
                kwargs["content_type"] = ct
            r = client.generic(req["method"], req["path"], data=(body or "").encode(), **kwargs)
            return record_response(r.status_code, r.items(), r.get("Content-Type", ""), r.content)
        return send

    raise ValueError(framework)


def run_child(key: str, out: str) -> None:
    c, v = find(key)
    sys.path.insert(0, str(HERE))
    send = make_sender(c.framework, c.module)
    results = []
    for sc in scenarios_for(c, v):
        req = sc["request"]
        for _ in range(req.get("repeat", 1)):
            resp = send(req)
        if resp["status"] >= 500:
            print(f"{key}: {sc['id']} answered {resp['status']}", file=sys.stderr)
        results.append({"id": sc["id"], "request": req, "response": resp})
    Path(out).write_text(json.dumps(results))


# --------------------------------------------------------------------------------------------
# Parent: one subprocess per (configuration, variant), then write the goldens
# --------------------------------------------------------------------------------------------

def _fmt(o, ind: str) -> str:
    """json.dumps(indent=2, sort_keys=True), except that lists of scalars stay on one line."""
    if isinstance(o, dict):
        if not o:
            return "{}"
        inner = ind + "  "
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_fmt(o[k], inner)}" for k in sorted(o)]
        return "{\n" + ",\n".join(items) + "\n" + ind + "}"
    if isinstance(o, list):
        if all(not isinstance(x, (dict, list)) for x in o):
            return json.dumps(o, ensure_ascii=False)
        inner = ind + "  "
        return "[\n" + ",\n".join(inner + _fmt(x, inner) for x in o) + "\n" + ind + "]"
    return json.dumps(o, ensure_ascii=False)


def dump(obj) -> str:
    return _fmt(obj, "") + "\n"


def run_one(key: str, variant: Variant, tmp: Path) -> tuple[str, list, str]:
    out = tmp / f"{key}.json"
    workdir = tmp / f"cwd-{key}"
    workdir.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(HERE),
        "TZ": "UTC",
        **variant.env,
    }
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", key, str(out)],
                          cwd=workdir, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{key} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    warnings = "\n".join(l for l in proc.stderr.splitlines() if l.startswith(f"{key}: "))
    return key, json.loads(out.read_text()), warnings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="record only these NAME or NAME.VARIANT keys")
    ap.add_argument("--list", action="store_true", help="list configurations and scenario counts")
    ap.add_argument("--child", nargs=2, metavar=("KEY", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    if args.child:
        run_child(*args.child)
        return

    todo = [(c, k, v) for c in CONFIGS for k, v in c.keys()]
    if args.list:
        for c, k, v in todo:
            print(f"{k:40} {c.framework:8} {len(scenarios_for(c, v)):4} scenarios")
        return
    if args.only:
        wanted = set(args.only)
        todo = [(c, k, v) for c, k, v in todo if k in wanted or c.name in wanted]
        if not todo:
            raise SystemExit("nothing matches --only")

    GOLDENS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cors-parity-") as tmpdir:
        tmp = Path(tmpdir)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda t: run_one(t[1], t[2], tmp), todo))

    total = 0
    for (c, k, v), (key, data, warnings) in zip(todo, results):
        (GOLDENS / f"{key}.json").write_text(dump(data))
        total += len(data)
        print(f"recorded {key:40} {len(data):4} scenarios")
        if warnings:
            print(warnings)

    # index.json describes every configuration (always written in full, whatever --only says).
    index = []
    for c in CONFIGS:
        for k, v in c.keys():
            index.append({
                "config": c.name,
                "variant": v.name,
                "golden": f"{k}.json",
                "framework": c.framework,
                "app_module": f"apps/{c.module}.py",
                "env": v.env,
                "stateful": c.stateful,
                "scenarios": len(scenarios_for(c, v)),
            })
    (GOLDENS / "index.json").write_text(dump(index))
    if not args.only:
        known = {e["golden"] for e in index} | {"index.json"}
        for f in GOLDENS.glob("*.json"):
            if f.name not in known:
                f.unlink()
                print(f"removed stale {f.name}")
    print(f"{total} scenarios recorded in {len(results)} goldens")


if __name__ == "__main__":
    main()
