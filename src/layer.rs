//! The tower layer: asks the policy, then either answers or calls the inner service and adds
//! the headers the policy chose. It holds no CORS logic of its own.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, ORIGIN};
use http::request::Parts;
use http::{HeaderValue, Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::policy::{CorsPolicy, Decision, Rejection};
use crate::scoped::{PolicySource, ScopedPolicies};

/// How the layer fills the body of the responses it makes itself (preflight answers and
/// refusals). [`Quiet`] leaves it empty; [`Explain`] writes the rejection reason.
///
/// Implement it to answer with your own body, a JSON error for instance.
pub trait ResponseBody<B> {
    /// The body for a response the layer makes, given why the request was rejected (if it was).
    /// `response` is the response being made, to read its status and set a `Content-Type`.
    fn body(rejection: Option<&Rejection>, response: &mut Response<()>) -> B;
}

/// Responses the layer makes have an empty body (the default). The reason for a rejection still
/// goes to `tracing`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

/// Responses the layer makes for rejected requests carry the reason as `text/plain`, e.g.
/// `request header "x-secret" is not allowed`. For development: it tells a caller what the
/// policy is.
#[derive(Clone, Copy, Debug, Default)]
pub struct Explain;

impl<B: Default> ResponseBody<B> for Quiet {
    fn body(_: Option<&Rejection>, _: &mut Response<()>) -> B {
        B::default()
    }
}

impl<B: Default + From<Bytes>> ResponseBody<B> for Explain {
    fn body(rejection: Option<&Rejection>, response: &mut Response<()>) -> B {
        match rejection {
            // A 204 cannot carry a body: the reason then goes to `tracing` only.
            Some(r) if response.status() != StatusCode::NO_CONTENT => {
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                B::from(Bytes::from(format!("{r}\n")))
            }
            _ => B::default(),
        }
    }
}

/// A [`Layer`] that applies a [`CorsPolicy`] (or [path-scoped policies](ScopedPolicies)) to a
/// service.
///
/// ```
/// use axum::{routing::get, Router};
/// use tower_cors::{CorsLayer, CorsPolicy};
///
/// let policy = CorsPolicy::builder()
///     .allow_origins(["https://app.example.com"])
///     .build()?;
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(CorsLayer::new(policy));
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
pub struct CorsLayer<M = Quiet> {
    policies: PolicySource,
    mode: PhantomData<fn() -> M>,
}

impl CorsLayer {
    /// A layer applying `policy` to every request.
    pub fn new(policy: CorsPolicy) -> Self {
        Self::from_source(PolicySource::One(policy))
    }

    /// A layer applying the policy that `policies` selects by path; requests on other paths
    /// pass through untouched.
    pub fn scoped(policies: ScopedPolicies) -> Self {
        Self::from_source(PolicySource::Scoped(policies))
    }
}

impl<M> CorsLayer<M> {
    fn from_source(policies: PolicySource) -> Self {
        CorsLayer {
            policies,
            mode: PhantomData,
        }
    }

    /// Writes the reason into the body of rejected preflights and refusals (see [`Explain`]).
    /// The response body type must then implement `From<Bytes>`, as axum's and
    /// `http_body_util::Full`'s do.
    pub fn explain_rejections(self) -> CorsLayer<Explain> {
        CorsLayer::from_source(self.policies)
    }

    /// Fills the body of responses the layer makes with a [`ResponseBody`] of your own.
    pub fn response_body<N>(self) -> CorsLayer<N> {
        CorsLayer::from_source(self.policies)
    }
}

impl From<CorsPolicy> for CorsLayer {
    fn from(policy: CorsPolicy) -> Self {
        CorsLayer::new(policy)
    }
}

impl From<ScopedPolicies> for CorsLayer {
    fn from(policies: ScopedPolicies) -> Self {
        CorsLayer::scoped(policies)
    }
}

impl<M> Clone for CorsLayer<M> {
    fn clone(&self) -> Self {
        CorsLayer::from_source(self.policies.clone())
    }
}

impl<M> fmt::Debug for CorsLayer<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsLayer")
            .field("policies", &self.policies)
            .finish()
    }
}

impl<S, M> Layer<S> for CorsLayer<M> {
    type Service = Cors<S, M>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors {
            inner,
            policies: self.policies.clone(),
            mode: PhantomData,
        }
    }
}

/// The service [`CorsLayer`] makes: CORS around `S`. Cloning it clones `S` and a reference
/// count.
pub struct Cors<S, M = Quiet> {
    inner: S,
    policies: PolicySource,
    mode: PhantomData<fn() -> M>,
}

impl<S: Clone, M> Clone for Cors<S, M> {
    fn clone(&self) -> Self {
        Cors {
            inner: self.inner.clone(),
            policies: self.policies.clone(),
            mode: PhantomData,
        }
    }
}

impl<S: fmt::Debug, M> fmt::Debug for Cors<S, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("inner", &self.inner)
            .field("policies", &self.policies)
            .finish()
    }
}

impl<S, M> Cors<S, M> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

fn trace(parts: &Parts, decision: &Decision) {
    // Field values are written inside the macros, which evaluate them only when the event is
    // enabled: looking the origin up again cost every request a header lookup.
    if decision.kind() == crate::DecisionKind::NotCors {
        tracing::trace!(target: "tower_cors", method = %parts.method, path = parts.uri.path(), outcome = decision.outcome());
    } else {
        tracing::debug!(
            target: "tower_cors",
            origin = ?parts.headers.get(ORIGIN),
            method = %parts.method,
            path = parts.uri.path(),
            outcome = decision.outcome(),
            reason = decision.rejection().map(tracing::field::display)
        );
    }
}

impl<S, M, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S, M>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    M: ResponseBody<ResBody>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let (parts, body) = request.into_parts();
        let Some(policy) = self.policies.select(&parts) else {
            return ResponseFuture::inner(self.inner.call(Request::from_parts(parts, body)), None);
        };
        let decision = policy.evaluate(&parts);
        let lookup = decision
            .needs_origin_lookup()
            .then(|| policy.lookup_origin(&parts));
        let policy = policy.clone();
        match lookup {
            None => {
                trace(&parts, &decision);
                if decision.short_circuits() {
                    return ResponseFuture::ready(respond::<M, ResBody>(&policy, &decision));
                }
                let future = self.inner.call(Request::from_parts(parts, body));
                ResponseFuture::inner(future, Some((policy, decision)))
            }
            Some(lookup) if decision.short_circuits() => {
                ResponseFuture::preflight_after_lookup(lookup, policy, decision, parts, M::body)
            }
            // The inner service runs while the origin is looked up; the headers wait for both.
            Some(lookup) => {
                let trace = trace_parts(&parts);
                let future = self.inner.call(Request::from_parts(parts, body));
                ResponseFuture::after_lookup(
                    future,
                    PendingLookup {
                        policy,
                        decision,
                        lookup,
                        allowed: None,
                        response: None,
                        trace,
                        done: false,
                    },
                )
            }
        }
    }
}

fn respond<M: ResponseBody<B>, B>(policy: &CorsPolicy, decision: &Decision) -> Response<B> {
    let mut response = policy.respond(decision);
    let body = M::body(decision.rejection(), &mut response);
    response.map(|()| body)
}

/// The request head fields logged for a decision that completes after the request moved on.
fn trace_parts(parts: &Parts) -> Parts {
    let mut head = Request::new(());
    *head.method_mut() = parts.method.clone();
    *head.uri_mut() = parts.uri.clone();
    if let Some(origin) = parts.headers.get(ORIGIN) {
        head.headers_mut().insert(ORIGIN, origin.clone());
    }
    head.into_parts().0
}

type Lookup = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

/// An actual request whose origin is being looked up while the inner service runs. Boxed in
/// the future, so that requests without a lookup (nearly all) do not carry its size around.
struct PendingLookup<B> {
    policy: CorsPolicy,
    decision: Decision,
    lookup: Lookup,
    allowed: Option<bool>,
    response: Option<Response<B>>,
    /// The request head to log once the lookup decided.
    trace: Parts,
    done: bool,
}

/// A preflight waiting for an origin lookup before the layer answers it.
struct PreflightAnswer<B> {
    policy: CorsPolicy,
    decision: Decision,
    parts: Parts,
    body: fn(Option<&Rejection>, &mut Response<()>) -> B,
}

pin_project! {
    /// The future [`Cors`] returns.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Inner {
            #[pin]
            future: F,
            apply: Option<(CorsPolicy, Decision)>,
        },
        AfterLookup {
            #[pin]
            future: F,
            pending: Box<PendingLookup<B>>,
        },
        Preflight {
            lookup: Lookup,
            answer: Option<Box<PreflightAnswer<B>>>,
        },
        Ready {
            response: Option<Response<B>>,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    fn inner(future: F, apply: Option<(CorsPolicy, Decision)>) -> Self {
        ResponseFuture {
            state: State::Inner { future, apply },
        }
    }

    fn after_lookup(future: F, pending: PendingLookup<B>) -> Self {
        ResponseFuture {
            state: State::AfterLookup {
                future,
                pending: Box::new(pending),
            },
        }
    }

    fn ready(response: Response<B>) -> Self {
        ResponseFuture {
            state: State::Ready {
                response: Some(response),
            },
        }
    }

    fn preflight_after_lookup(
        lookup: Lookup,
        policy: CorsPolicy,
        decision: Decision,
        parts: Parts,
        body: fn(Option<&Rejection>, &mut Response<()>) -> B,
    ) -> Self {
        ResponseFuture {
            state: State::Preflight {
                lookup,
                answer: Some(Box::new(PreflightAnswer {
                    policy,
                    decision,
                    parts,
                    body,
                })),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Like a fused future, a poll after completion stays pending.
        match self.project().state.project() {
            StateProj::Inner { future, apply } => {
                let mut response = ready!(future.poll(cx))?;
                if let Some((policy, decision)) = apply.take() {
                    policy.apply(&decision, response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
            StateProj::AfterLookup { future, pending } => {
                if pending.done {
                    return Poll::Pending;
                }
                // The lookup and the inner service make progress together.
                if pending.allowed.is_none() {
                    if let Poll::Ready(allowed) = pending.lookup.as_mut().poll(cx) {
                        pending.allowed = Some(allowed);
                    }
                }
                if pending.response.is_none() {
                    pending.response = Some(ready!(future.poll(cx))?);
                }
                let Some(allowed) = pending.allowed else {
                    return Poll::Pending;
                };
                let Some(mut response) = pending.response.take() else {
                    return Poll::Pending;
                };
                let decision = std::mem::replace(&mut pending.decision, Decision::not_cors())
                    .resolve_origin_lookup(allowed);
                trace(&pending.trace, &decision);
                pending.policy.apply(&decision, response.headers_mut());
                pending.done = true;
                Poll::Ready(Ok(response))
            }
            StateProj::Preflight { lookup, answer } => {
                let allowed = ready!(lookup.as_mut().poll(cx));
                let Some(a) = answer.take() else {
                    return Poll::Pending;
                };
                let decision = a.decision.resolve_origin_lookup(allowed);
                trace(&a.parts, &decision);
                let mut response = a.policy.respond(&decision);
                let body = (a.body)(decision.rejection(), &mut response);
                Poll::Ready(Ok(response.map(|()| body)))
            }
            StateProj::Ready { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
        }
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
