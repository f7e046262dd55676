//! The fake Graph API: `POST /{version}/{phone_number_id}/calls` on a real
//! HTTP server. It checks the bearer token, the number and the body as Meta
//! does ([`crate::core::graph::validate`]), then hands the action to the
//! task that owns the call and returns that task's verdict in Meta's shapes.

use crate::core::graph::{self, Action, Rejection, Validated};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// One action for the task that owns a call, and where its verdict goes.
pub struct Command {
    pub request: Validated,
    pub reply: oneshot::Sender<Result<Value, Rejection>>,
}

/// A failure to inject: the next `count` requests of `action` get `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    pub action: Action,
    pub status: u16,
    pub count: u32,
}

impl std::str::FromStr for Injection {
    type Err = String;

    /// `accept:503` or `accept:503x2`.
    fn from_str(s: &str) -> Result<Injection, String> {
        let (action, rest) = s
            .split_once(':')
            .ok_or("expected ACTION:STATUS[xCOUNT], e.g. accept:503x2")?;
        let action = Action::parse(action).ok_or_else(|| format!("unknown action `{action}`"))?;
        let (status, count) = rest.split_once('x').unwrap_or((rest, "1"));
        let status: u16 = status
            .parse()
            .map_err(|_| format!("`{status}` is not an HTTP status"))?;
        if !(400..600).contains(&status) {
            return Err(format!("{status} is not an error status"));
        }
        let count = count
            .parse()
            .map_err(|_| format!("`{count}` is not a count"))?;
        Ok(Injection {
            action,
            status,
            count,
        })
    }
}

/// A request as the simulator saw it, for the timeline.
#[derive(Debug, Clone)]
pub struct Seen {
    pub action: String,
    pub call_id: Option<String>,
    pub status: u16,
    pub details: Option<String>,
}

#[derive(Default)]
pub struct Desk {
    calls: Mutex<HashMap<String, mpsc::UnboundedSender<Command>>>,
    /// Where business-initiated `connect` requests go, when the simulator takes them.
    connects: Mutex<Option<mpsc::UnboundedSender<Command>>>,
    injections: Mutex<Vec<Injection>>,
    log: Mutex<Option<mpsc::UnboundedSender<Seen>>>,
}

impl Desk {
    /// Registers a call; its driver reads the actions for it from the receiver.
    pub fn open(&self, call_id: &str) -> mpsc::UnboundedReceiver<Command> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.calls.lock().unwrap().insert(call_id.to_string(), tx);
        rx
    }

    pub fn close(&self, call_id: &str) {
        self.calls.lock().unwrap().remove(call_id);
    }

    /// Takes business-initiated `connect` requests from now on.
    pub fn take_connects(&self) -> mpsc::UnboundedReceiver<Command> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.connects.lock().unwrap() = Some(tx);
        rx
    }

    pub fn inject(&self, i: Injection) {
        self.injections.lock().unwrap().push(i);
    }

    /// Every request is also reported here.
    pub fn log_to(&self, tx: mpsc::UnboundedSender<Seen>) {
        *self.log.lock().unwrap() = Some(tx);
    }

    fn take_injection(&self, action: Action) -> Option<u16> {
        let mut all = self.injections.lock().unwrap();
        let i = all.iter_mut().find(|i| i.action == action && i.count > 0)?;
        i.count -= 1;
        Some(i.status)
    }

    fn note(&self, seen: Seen) {
        if let Some(tx) = self.log.lock().unwrap().as_ref() {
            let _ = tx.send(seen);
        }
    }
}

#[derive(Clone)]
struct AppState {
    desk: Arc<Desk>,
    token: Arc<String>,
    /// The business numbers this Graph API serves.
    phone_number_ids: Arc<std::sync::RwLock<Vec<String>>>,
}

pub struct GraphApi {
    pub addr: SocketAddr,
    pub desk: Arc<Desk>,
    task: tokio::task::JoinHandle<()>,
    phone_number_ids: Arc<std::sync::RwLock<Vec<String>>>,
}

impl GraphApi {
    pub async fn start(
        listen: SocketAddr,
        token: &str,
        phone_number_id: &str,
    ) -> anyhow::Result<GraphApi> {
        let desk = Arc::new(Desk::default());
        let state = AppState {
            desk: desk.clone(),
            token: Arc::new(token.to_string()),
            phone_number_ids: Arc::new(std::sync::RwLock::new(vec![phone_number_id.to_string()])),
        };
        let state_ids = state.phone_number_ids.clone();
        let app = Router::new()
            .route("/{version}/{phone_number_id}/calls", post(calls))
            .fallback(not_found)
            .with_state(state);
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(GraphApi {
            addr,
            desk,
            task,
            phone_number_ids: state_ids,
        })
    }

    /// Serves one more business number (replayed calls may come from several).
    pub fn serve_number(&self, phone_number_id: &str) {
        let mut ids = self.phone_number_ids.write().unwrap();
        if !ids.iter().any(|i| i == phone_number_id) {
            ids.push(phone_number_id.to_string());
        }
    }

    /// The base URL a bridge's `--graph-url` takes.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for GraphApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn trace_id() -> String {
    let b: [u8; 12] = rand::random();
    hex::encode(b)
}

fn reject(r: Rejection) -> Response {
    let r = r.with_trace(trace_id());
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(r.body)).into_response()
}

async fn not_found() -> Response {
    let mut r = Rejection::invalid_parameter(
        "unknown path: wacall sim serves POST /{version}/{phone_number_id}/calls",
        None,
    );
    r.status = 404;
    reject(r)
}

async fn calls(
    State(s): State<AppState>,
    Path((version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let verdict = handle(&s, &version, &phone_number_id, &headers, &body).await;
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (status, details) = match &verdict {
        Ok(_) => (200, None),
        Err(r) => (
            r.status,
            r.body
                .error
                .error_data
                .as_ref()
                .map(|d| d.details.clone())
                .or(Some(r.body.error.message.clone())),
        ),
    };
    s.desk.note(Seen {
        action: field("action").unwrap_or_else(|| "(none)".into()),
        call_id: field("call_id"),
        status,
        details,
    });
    match verdict {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(r) => reject(r),
    }
}

async fn handle(
    s: &AppState,
    version: &str,
    phone_number_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, Rejection> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(token) = auth.strip_prefix("Bearer ") else {
        return Err(Rejection::bad_token("Cannot parse access token"));
    };
    // Equal length first, then every byte: no early exit on the first difference.
    let same = token.len() == s.token.len()
        && token
            .bytes()
            .zip(s.token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(Rejection::bad_token(
            "The access token could not be decrypted",
        ));
    }
    if !version.starts_with('v') || version[1..].parse::<f32>().is_err() {
        return Err(Rejection::invalid_parameter(
            format!("unknown Graph API version `{version}`; use e.g. v23.0"),
            None,
        ));
    }
    if !s
        .phone_number_ids
        .read()
        .unwrap()
        .iter()
        .any(|i| i == phone_number_id)
    {
        return Err(Rejection::unknown_object(phone_number_id));
    }
    let request = graph::validate(body)?;
    if let Some(status) = s.desk.take_injection(request.action) {
        return Err(Rejection::transient(status));
    }
    let tx = if request.action == Action::Connect {
        s.desk.connects.lock().unwrap().clone().ok_or_else(|| {
            Rejection::invalid_parameter("this simulator is not taking business-initiated calls (run `wacall sim --business-initiated`)", None)
        })?
    } else {
        let call_id = request.call_id.clone().unwrap_or_default();
        s.desk
            .calls
            .lock()
            .unwrap()
            .get(&call_id)
            .cloned()
            .ok_or_else(|| {
                Rejection::invalid_parameter(
                    format!("Invalid call id `{call_id}`: no such call, or it has ended"),
                    None,
                )
            })?
    };
    let (reply, verdict) = oneshot::channel();
    if tx.send(Command { request, reply }).is_err() {
        return Err(Rejection::invalid_parameter("the call has ended", None));
    }
    match tokio::time::timeout(Duration::from_secs(10), verdict).await {
        Ok(Ok(v)) => v,
        _ => Err(Rejection::transient(500)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injections_parse() {
        assert_eq!(
            "accept:503x2".parse::<Injection>().unwrap(),
            Injection {
                action: Action::Accept,
                status: 503,
                count: 2
            }
        );
        assert_eq!("pre_accept:429".parse::<Injection>().unwrap().count, 1);
        assert!("accept:200".parse::<Injection>().is_err());
        assert!("dance:500".parse::<Injection>().is_err());
        assert!("accept".parse::<Injection>().is_err());
    }
}
