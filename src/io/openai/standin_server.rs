//! The OpenAI stand-in on a real WebSocket: `GET /v1/realtime?model=...`
//! with `Authorization: Bearer KEY`, refused with 401 and OpenAI's error
//! body for a wrong key; an unknown model gets an `error` event and a close.
//! Each connection runs the pure stand-in on the wall clock.

use crate::core::realtime::standin::{Log, StandIn, StandInConfig, known_model};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

#[derive(Debug, Clone, Default)]
pub struct StandInServerConfig {
    /// The only key accepted; `None` accepts any non-empty bearer token.
    pub key: Option<String>,
    pub standin: StandInConfig,
    /// Drop the first connection abruptly this long after it opened, to
    /// test reconnection (no close frame: like a network failure).
    pub drop_first_after: Option<Duration>,
    /// Keep every text frame both ways (for protocol conformance checks).
    pub capture: bool,
}

/// Which way a captured frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    FromClient,
    ToClient,
    /// The session a WebRTC call was created with (its form field).
    Session,
}

/// One connection as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Connection {
    pub opened: Instant,
    pub model: String,
    /// Filled in by [`StandInServer::logs`] from the live stand-in.
    pub log: Log,
    pub frames: Vec<(Dir, String)>,
    pub(super) live: Live,
}

/// The connection's stand-in, shared so that its log is copied when read,
/// not after every event (a copy per 5 ms tick was a tenth of its CPU).
#[derive(Clone, Default)]
pub(super) struct Live(pub(super) Option<Arc<Mutex<StandIn>>>);

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

pub struct StandInServer {
    addr: SocketAddr,
    pub connections: Arc<Mutex<Vec<Connection>>>,
    /// Handshakes refused (bad key, wrong path).
    pub refused: Arc<Mutex<u64>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandInServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl StandInServer {
    pub async fn start(
        listen: SocketAddr,
        cfg: StandInServerConfig,
    ) -> anyhow::Result<StandInServer> {
        let listener = TcpListener::bind(listen).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {listen} for the OpenAI stand-in: {e}")
        })?;
        let addr = listener.local_addr()?;
        let connections: Arc<Mutex<Vec<Connection>>> = Arc::default();
        let refused: Arc<Mutex<u64>> = Arc::default();
        let (conns, refs) = (connections.clone(), refused.clone());
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let first = conns.lock().unwrap().is_empty();
                let (cfg, conns, refs) = (cfg.clone(), conns.clone(), refs.clone());
                tokio::spawn(async move {
                    // One port for both transports: WebRTC calls are a POST.
                    if is_post(&tcp).await {
                        super::standin_rtc::serve_http(tcp, cfg, conns, refs).await;
                        return;
                    }
                    let drop_after = if first { cfg.drop_first_after } else { None };
                    serve(tcp, cfg, drop_after, conns, refs).await;
                });
            }
        });
        Ok(StandInServer {
            addr,
            connections,
            refused,
            task,
        })
    }

    /// The base URL for `--openai-url`.
    pub fn url(&self) -> String {
        format!("ws://{}/v1/realtime", self.addr)
    }

    pub fn logs(&self) -> Vec<Connection> {
        let mut conns = self.connections.lock().unwrap().clone();
        for c in &mut conns {
            if let Some(ai) = &c.live.0 {
                c.log = ai.lock().unwrap().log.clone();
            }
        }
        conns
    }
}

/// Whether a new connection starts with `POST ` (bounded wait for the bytes).
async fn is_post(tcp: &TcpStream) -> bool {
    let mut head = [0u8; 5];
    for _ in 0..50 {
        match tcp.peek(&mut head).await {
            Ok(n) if n >= 5 => return &head == b"POST ",
            Ok(0) | Err(_) => return false,
            Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    false
}

fn refuse(status: StatusCode, code: &str, message: &str) -> ErrorResponse {
    let body = serde_json::json!({"error": {"message": message, "type": "invalid_request_error", "code": code, "param": null}});
    let mut r = ErrorResponse::new(Some(body.to_string()));
    *r.status_mut() = status;
    r
}

async fn serve(
    tcp: TcpStream,
    cfg: StandInServerConfig,
    drop_after: Option<Duration>,
    conns: Arc<Mutex<Vec<Connection>>>,
    refused: Arc<Mutex<u64>>,
) {
    let mut model = String::new();
    let key = cfg.key.clone();
    // tungstenite's callback signature fixes the error type.
    #[allow(clippy::result_large_err)]
    let check = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if req.uri().path() != "/v1/realtime" {
            return Err(refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                "Invalid URL (GET /v1/realtime expected)",
            ));
        }
        let bearer = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let ok = match &key {
            Some(k) => bearer == k,
            None => !bearer.is_empty(),
        };
        if !ok {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
            ));
        }
        model = req
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("model="))
            .unwrap_or("")
            .to_string();
        Ok(resp)
    };
    let ws = match tokio_tungstenite::accept_hdr_async_with_config(
        tcp,
        check,
        Some(super::socket::ws_config()),
    )
    .await
    {
        Ok(ws) => ws,
        Err(_) => {
            *refused.lock().unwrap() += 1;
            return;
        }
    };
    let (mut tx, mut rx) = ws.split();
    let opened = Instant::now();
    let index = {
        let mut c = conns.lock().unwrap();
        c.push(Connection {
            opened,
            model: model.clone(),
            log: Log::default(),
            frames: Vec::new(),
            live: Live::default(),
        });
        c.len() - 1
    };
    if !known_model(&model) {
        let e = serde_json::json!({"type": "error", "event_id": "event_standin_model", "error": {
            "type": "invalid_request_error", "code": "model_not_found",
            "message": format!("The model `{model}` does not exist or you do not have access to it."), "param": null, "event_id": null}});
        let _ = tx.send(Message::text(e.to_string())).await;
        let _ = tx.close().await;
        return;
    }
    let ai = Arc::new(Mutex::new(StandIn::new(cfg.standin.clone(), &model)));
    conns.lock().unwrap()[index].live = Live(Some(ai.clone()));
    let mut out = ai.lock().unwrap().hello();
    // Between client events the stand-in has only a response's deltas to
    // send: it sleeps until the next one instead of looking every 5 ms (a
    // wake-up per call per 5 ms was most of its CPU under load).
    let idle = Duration::from_secs(3600);
    let due = tokio::time::sleep(idle);
    tokio::pin!(due);
    let cut = tokio::time::sleep(drop_after.unwrap_or(Duration::from_secs(86_400)));
    tokio::pin!(cut);
    let capture = |dir: Dir, text: &str| {
        if cfg.capture {
            conns.lock().unwrap()[index]
                .frames
                .push((dir, text.to_string()));
        }
    };
    loop {
        for m in out.drain(..) {
            capture(Dir::ToClient, &m);
            if tx.send(Message::text(m)).await.is_err() {
                return;
            }
        }
        // The server's clock is read when something happens: the loop may
        // have slept for seconds since it last went round.
        let now = || opened.elapsed().as_millis() as u64;
        let next = ai.lock().unwrap().next_due();
        let deadline = due.deadline().into_std();
        match next.map(|ms| opened + Duration::from_millis(ms)) {
            Some(at) if at != deadline => due.as_mut().reset(at.into()),
            // Nothing to stream: a far deadline, moved only once it nears.
            None if deadline < Instant::now() + idle / 2 => {
                due.as_mut().reset((Instant::now() + idle).into())
            }
            _ => {}
        }
        tokio::select! {
            m = rx.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    capture(Dir::FromClient, &t);
                    out = ai.lock().unwrap().on_client(&t, now());
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            () = &mut due => out = ai.lock().unwrap().poll(now()),
            _ = &mut cut, if drop_after.is_some() => break,
        }
    }
}
