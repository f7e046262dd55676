//! The control API (`/health`, `/sessions`, `/metrics`) for load balancers,
//! operators, and setups where another component takes Meta's webhooks and
//! calls the Graph API itself (`POST /sessions/start`).

use super::sessions::{NewCall, Registry, start_call};
use crate::core::bridge::Ending;
use crate::io::bridge::{BridgeConfig, FarEndSetup, Signalling};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Makes each call's far end; one that needs a connection (OpenAI) gets
/// ready while the call connects.
pub type MakeFarEnd = Arc<dyn Fn() -> FarEndSetup + Send + Sync>;

#[derive(Clone)]
pub struct Api {
    pub reg: Arc<Registry>,
    pub token: Option<String>,
    pub far: MakeFarEnd,
    pub bridge: BridgeConfig,
    pub cluster: Option<super::Cluster>,
}

pub fn routes(api: Api) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/sessions", get(list))
        .route("/sessions/start", post(start))
        .route("/sessions/{id}", get(one))
        .route("/sessions/{id}", delete(end))
        .with_state(api)
}

/// `None` when the request may go on; the 401 to send otherwise.
fn refused(api: &Api, headers: &HeaderMap) -> Option<Response> {
    let want = api.token.as_ref()?;
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = given.is_some_and(|g| {
        use subtle::ConstantTimeEq;
        g.as_bytes().ct_eq(want.as_bytes()).into()
    });
    (!ok).then(|| {
        let body = json!({"error": "a valid `Authorization: Bearer` token is required"});
        (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
    })
}

/// 503 while draining or full, so that a load balancer's readiness check
/// sends new calls elsewhere; the calls in progress go on either way.
async fn health(State(api): State<Api>) -> Response {
    let (status, code) = if api.reg.draining() {
        ("draining", StatusCode::SERVICE_UNAVAILABLE)
    } else if api.reg.full() {
        ("full", StatusCode::SERVICE_UNAVAILABLE)
    } else {
        ("healthy", StatusCode::OK)
    };
    let mut body = json!({"status": status, "activeCalls": api.reg.active()});
    if let Some(max) = api.reg.max_calls {
        body["maxCalls"] = json!(max);
    }
    (code, axum::Json(body)).into_response()
}

async fn metrics(State(api): State<Api>) -> Response {
    let text = api
        .reg
        .metrics
        .lock()
        .unwrap()
        .render(api.reg.active(), api.reg.draining());
    ([("content-type", "text/plain; version=0.0.4")], text).into_response()
}

async fn list(State(api): State<Api>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&api, &headers) {
        return r;
    }
    axum::Json(json!({"sessions": api.reg.list()})).into_response()
}

async fn one(State(api): State<Api>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&api, &headers) {
        return r;
    }
    if let Some(s) = api.reg.get(&id) {
        return axum::Json(s).into_response();
    }
    // Held by another instance: say which.
    if let Some(c) = &api.cluster
        && let Ok(Some(owner)) = c.owner(&id).await
        && owner != c.id
    {
        return axum::Json(json!({"callId": id, "state": "active", "owner": owner}))
            .into_response();
    }
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"error": format!("no session `{id}`")})),
    )
        .into_response()
}

async fn end(State(api): State<Api>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = refused(&api, &headers) {
        return r;
    }
    if api.reg.hang_up(&id, Ending::Interrupted) {
        (
            StatusCode::ACCEPTED,
            axum::Json(json!({"callId": id, "state": "ending"})),
        )
            .into_response()
    } else if let Some(c) = &api.cluster
        && let Ok(Some(owner)) = c.owner(&id).await
        && owner != c.id
        && c.hang_up_on(&owner, &id, "ended through the control API")
            .await
            .unwrap_or(false)
    {
        api.reg.metrics.lock().unwrap().routed += 1;
        (
            StatusCode::ACCEPTED,
            axum::Json(json!({"callId": id, "state": "ending", "owner": owner})),
        )
            .into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": format!("no live session `{id}`")})),
        )
            .into_response()
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartBody {
    call_id: String,
    sdp_offer: String,
    from_number: Option<String>,
}

async fn start(State(api): State<Api>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(r) = refused(&api, &headers) {
        return r;
    }
    let bad =
        |why: String| (StatusCode::BAD_REQUEST, axum::Json(json!({"error": why}))).into_response();
    let b: StartBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return bad(format!(
                "the body must be {{callId, sdpOffer, fromNumber}}: {e}"
            ));
        }
    };
    if api.reg.draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"error": "draining: not taking new calls"})),
        )
            .into_response();
    }
    if api.reg.has_live(&b.call_id) {
        return (
            StatusCode::CONFLICT,
            axum::Json(json!({"error": format!("session `{}` is live", b.call_id)})),
        )
            .into_response();
    }
    let far = (api.far)();
    let (tx, rx) = tokio::sync::oneshot::channel();
    // The caller signals the answer itself: the bridge hands it over and waits.
    if let Err(full) = start_call(
        &api.reg,
        NewCall {
            call_id: b.call_id.clone(),
            from: b.from_number,
            offer: b.sdp_offer,
        },
        far,
        api.bridge.clone(),
        Signalling::Manual,
        Some(tx),
    ) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"error": full.to_string()})),
        )
            .into_response();
    }
    match tokio::time::timeout(Duration::from_secs(10), rx).await {
        Ok(Ok(Ok(sdp))) => {
            axum::Json(json!({"callId": b.call_id, "sdpAnswer": sdp})).into_response()
        }
        Ok(Ok(Err(why))) => bad(why),
        _ => (
            StatusCode::GATEWAY_TIMEOUT,
            axum::Json(json!({"error": "no answer within 10 s"})),
        )
            .into_response(),
    }
}
