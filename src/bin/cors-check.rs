//! `cors-check`: sends to a live `http://` URL exactly what a browser would
//! send for a cross-origin request (the preflight if needed, then the actual
//! request), runs the browser model's checks on the answers, and prints the
//! verdict with its reason and the exchanged headers.
//!
//! Exit code: 0 allowed, 1 blocked, 2 usage or network error.

use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower_cors::check::{
    BodyKind, Browser, BrowserRequest, Credentials, Mode, NetworkError, Preflight,
};

const USAGE: &str = "\
usage: cors-check --origin ORIGIN [options] URL

Sends to URL (http:// only) what a browser on the page ORIGIN would send,
and says whether the browser would let the page's script read the answer.

options:
  -o, --origin ORIGIN       the page's origin, e.g. http://localhost:3000, or null (required)
  -X, --method METHOD       request method (default GET)
  -H, --header 'NAME: VALUE'
                            a header the script sets (repeatable)
  -c, --credentials MODE    omit | same-origin | include (default same-origin)
  -d, --data TEXT           request body
      --stream              send the body as a ReadableStream would (forces a preflight)
      --upload-listeners    XHR upload listeners are registered (forces a preflight with a body)
  -r, --read NAME           a response header the script wants to read (repeatable)
  -m, --mode MODE           chromium | spec (default chromium)
  -t, --timeout SECONDS     per-request timeout (default 30)
  -h, --help                this text

exit code: 0 allowed, 1 blocked, 2 usage or network error";

struct Args {
    origin: String,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    credentials: Credentials,
    data: Option<String>,
    stream: bool,
    upload_listeners: bool,
    read: Vec<String>,
    mode: Mode,
    timeout: Duration,
}

enum Parsed {
    Run(Args),
    Help,
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut origin = None;
    let mut method = "GET".to_owned();
    let mut url = None;
    let mut headers = Vec::new();
    let mut credentials = Credentials::SameOrigin;
    let mut data = None;
    let mut stream = false;
    let mut upload_listeners = false;
    let mut read = Vec::new();
    let mut mode = Mode::Chromium;
    let mut timeout = Duration::from_secs(30);
    while let Some(arg) = argv.next() {
        // Accept both `--opt value` and `--opt=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => argv.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-o" | "--origin" => origin = Some(value(&flag)?),
            "-X" | "--method" => method = value(&flag)?,
            "-H" | "--header" => {
                let h = value(&flag)?;
                let (n, v) = h
                    .split_once(':')
                    .ok_or_else(|| format!("header `{h}` is not `NAME: VALUE`"))?;
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
            "-c" | "--credentials" => {
                credentials = match value(&flag)?.as_str() {
                    "omit" => Credentials::Omit,
                    "same-origin" => Credentials::SameOrigin,
                    "include" => Credentials::Include,
                    other => {
                        return Err(format!(
                            "credentials mode `{other}`: use omit, same-origin or include"
                        ))
                    }
                }
            }
            "-d" | "--data" => data = Some(value(&flag)?),
            "--stream" => stream = true,
            "--upload-listeners" => upload_listeners = true,
            "-r" | "--read" => read.push(value(&flag)?),
            "-m" | "--mode" => {
                mode = match value(&flag)?.to_ascii_lowercase().as_str() {
                    "chromium" | "chrome" => Mode::Chromium,
                    "spec" => Mode::Spec,
                    other => return Err(format!("mode `{other}`: use chromium or spec")),
                }
            }
            "-t" | "--timeout" => {
                let v = value(&flag)?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("timeout `{v}` is not a whole number of seconds"))?;
                timeout = Duration::from_secs(secs.max(1));
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option `{f}`")),
            _ => {
                if url.replace(arg).is_some() {
                    return Err("more than one URL given".to_owned());
                }
            }
        }
    }
    let origin =
        origin.ok_or("--origin is required (the page's origin, e.g. http://localhost:3000)")?;
    let url = url.ok_or("no URL given")?;
    Ok(Parsed::Run(Args {
        origin,
        method,
        url,
        headers,
        credentials,
        data,
        stream,
        upload_listeners,
        read,
        mode,
        timeout,
    }))
}

fn build_request(args: &Args) -> Result<BrowserRequest, String> {
    if !args.url.to_ascii_lowercase().starts_with("http://") {
        return Err(format!(
            "URL `{}`: only http:// URLs are supported",
            args.url
        ));
    }
    let mut req =
        BrowserRequest::new(&args.origin, &args.method, &args.url).map_err(|e| e.to_string())?;
    for (n, v) in &args.headers {
        req = req.header(n, v).map_err(|e| e.to_string())?;
    }
    let body = match (&args.data, args.stream) {
        (_, true) => BodyKind::Stream,
        (Some(_), false) => BodyKind::Bytes,
        (None, false) => BodyKind::None,
    };
    req = req
        .credentials(args.credentials)
        .body(body)
        .upload_listeners(args.upload_listeners);
    for r in &args.read {
        req = req.read_header(r);
    }
    Ok(req)
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn show_bytes(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn print_request(method: &str, url: &str, headers: &[(String, Vec<u8>)]) {
    println!("> {method} {url}");
    for (n, v) in headers {
        println!(">   {n}: {}", show_bytes(v));
    }
}

fn print_response(status: StatusCode, headers: &HeaderMap) {
    println!("< {status}");
    for (n, v) in headers {
        println!("<   {n}: {}", show_bytes(v.as_bytes()));
    }
}

async fn send(
    client: &HttpClient,
    timeout: Duration,
    method: &str,
    url: &str,
    headers: &[(String, Vec<u8>)],
    body: Bytes,
) -> Result<(StatusCode, HeaderMap), String> {
    let mut builder = Request::builder().method(method).uri(url);
    for (n, v) in headers {
        builder = builder.header(n.as_str(), v.as_slice());
    }
    let request = builder
        .body(Full::new(body))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let exchange = async {
        let response = client.request(request).await.map_err(|e| {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            msg
        })?;
        let (parts, body) = response.into_parts();
        // Drain the body so the exchange is complete, as the browser's would be.
        body.collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?;
        Ok::<_, String>((parts.status, parts.headers))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer within {} s", timeout.as_secs()))?
}

async fn run(args: Args) -> ExitCode {
    let req = match build_request(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cors-check: {e}");
            return ExitCode::from(2);
        }
    };
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut browser = Browser::new(args.mode);
    println!(
        "{} {} from {} ({:?} mode, credentials {:?})",
        req.method(),
        req.url(),
        req.origin(),
        args.mode,
        req.credentials_mode()
    );
    let mut preflight = Preflight::NotNeeded;
    if req.needs_preflight_in(args.mode) {
        preflight = Preflight::Sent {
            method: req.preflight_request_method(),
            headers: req.preflight_request_headers_in(args.mode),
        };
        let headers = browser.preflight_request_headers(&req);
        println!("\npreflight:");
        print_request("OPTIONS", req.url(), &headers);
        let (status, response_headers) = match send(
            &client,
            args.timeout,
            "OPTIONS",
            req.url(),
            &headers,
            Bytes::new(),
        )
        .await
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("cors-check: preflight to {} failed: {e}", req.url());
                return ExitCode::from(2);
            }
        };
        print_response(status, &response_headers);
        if let Err(blocked) = browser.check_preflight(&req, status, &response_headers) {
            let verdict = tower_cors::check::Verdict {
                allowed: false,
                preflight,
                status: None,
                readable_headers: Vec::new(),
                unreadable_requested: req.requested_reads().to_vec(),
                blocked: Some(blocked.clone()),
                network_error: None,
                redirects: Vec::new(),
            };
            println!("\nBLOCKED ({}): {}", blocked.error, verdict.explain());
            println!("The actual request was not sent.");
            return ExitCode::from(1);
        }
    }
    if args.mode == Mode::Chromium && args.stream && !matches!(req.method(), "GET" | "HEAD") {
        // Chromium streams a request body only over HTTP/2 or later, and an
        // http:// URL is HTTP/1.1: the fetch fails before the actual request.
        let verdict = tower_cors::check::Verdict {
            allowed: false,
            preflight,
            status: None,
            readable_headers: Vec::new(),
            unreadable_requested: req.requested_reads().to_vec(),
            blocked: None,
            network_error: Some(NetworkError::StreamUploadOverHttp1),
            redirects: Vec::new(),
        };
        println!("\nFAILED (no CORS error): {}", verdict.explain());
        println!("The actual request was not sent.");
        return ExitCode::from(1);
    }
    let headers = browser.actual_request_headers(&req);
    println!("\nactual request:");
    print_request(req.method(), req.url(), &headers);
    let body = Bytes::from(args.data.clone().unwrap_or_default());
    let (status, response_headers) = match send(
        &client,
        args.timeout,
        req.method(),
        req.url(),
        &headers,
        body,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cors-check: request to {} failed: {e}", req.url());
            return ExitCode::from(2);
        }
    };
    print_response(status, &response_headers);
    let mut verdict = browser.check_response(&req, status, &response_headers);
    verdict.preflight = preflight;
    if let (true, Some(location)) = (
        matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308),
        response_headers.get("location"),
    ) {
        println!(
            "\nnote: a browser would follow this redirect (Location: {}) if it passes the \
             check below, with its own CORS check (and preflight if needed) on the next URL; \
             cors-check stops here: run it again on that URL.",
            String::from_utf8_lossy(location.as_bytes())
        );
    }
    match &verdict.blocked {
        None => {
            println!("\nALLOWED: {}", verdict.explain());
            ExitCode::SUCCESS
        }
        Some(b) => {
            println!("\nBLOCKED ({}): {}", b.error, verdict.explain());
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("cors-check: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cors-check: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(args))
}
