//! Receiving Meta's webhooks: the GET verification handshake, the
//! `X-Hub-Signature-256` check over the raw body (constant time), a body
//! size limit, a fast 200 with the work handed off, and Meta's retried
//! deliveries recognised and dropped.

use crate::core::capture::Capture;
use crate::core::webhook::{Envelope, verify_signature};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    pub listen: SocketAddr,
    pub path: String,
    /// `None` accepts unsigned deliveries (`--insecure-skip-signature`).
    pub app_secret: Option<String>,
    pub verify_token: Option<String>,
    pub max_body: usize,
    /// Write every POST here (`listen --capture DIR`), processed or not.
    pub capture: Option<std::path::PathBuf>,
}

impl ReceiverConfig {
    pub fn new(listen: SocketAddr, app_secret: Option<String>) -> ReceiverConfig {
        ReceiverConfig {
            listen,
            path: "/webhook".into(),
            app_secret,
            verify_token: None,
            max_body: 1024 * 1024,
            capture: None,
        }
    }
}

/// One accepted delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub envelope: Envelope,
    pub raw: Bytes,
    pub signature: Option<String>,
    pub received_at: SystemTime,
}

/// What the receiver did with each request, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counters {
    pub accepted: u64,
    pub duplicates: u64,
    pub bad_signature: u64,
    pub malformed: u64,
    pub verifications: u64,
    pub failed_verifications: u64,
    pub captured: u64,
    pub capture_errors: u64,
}

/// The webhook routes alone, for a server that adds its own (`wacall serve`).
pub fn routes(
    cfg: &ReceiverConfig,
    tx: mpsc::UnboundedSender<Delivery>,
) -> (Router, Arc<Mutex<Counters>>) {
    let counters = Arc::new(Mutex::new(Counters::default()));
    let app = App {
        cfg: Arc::new(cfg.clone()),
        tx,
        seen: Arc::default(),
        counters: counters.clone(),
        seq: Arc::default(),
    };
    let router = Router::new()
        .route(&cfg.path, get(verify).post(receive))
        .layer(DefaultBodyLimit::max(cfg.max_body))
        .with_state(app);
    (router, counters)
}

/// Remembers this many recent deliveries to recognise retries.
const REMEMBERED: usize = 4096;

#[derive(Default)]
struct Seen {
    order: VecDeque<[u8; 32]>,
    set: HashSet<[u8; 32]>,
}

impl Seen {
    /// True the first time a body is seen.
    fn first(&mut self, body: &[u8]) -> bool {
        use sha2::Digest;
        let key: [u8; 32] = sha2::Sha256::digest(body).into();
        if !self.set.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

#[derive(Clone)]
struct App {
    cfg: Arc<ReceiverConfig>,
    tx: mpsc::UnboundedSender<Delivery>,
    seen: Arc<Mutex<Seen>>,
    counters: Arc<Mutex<Counters>>,
    seq: Arc<std::sync::atomic::AtomicU64>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    pub counters: Arc<Mutex<Counters>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(
        cfg: ReceiverConfig,
        tx: mpsc::UnboundedSender<Delivery>,
    ) -> anyhow::Result<Receiver> {
        let (router, counters) = routes(&cfg, tx);
        let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Receiver {
            addr,
            counters,
            task,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn verify(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let mode = q.get("hub.mode").map(String::as_str);
    let token = q.get("hub.verify_token");
    let ok = mode == Some("subscribe")
        && app.cfg.verify_token.is_some()
        && token == app.cfg.verify_token.as_ref();
    let mut c = app.counters.lock().unwrap();
    if ok {
        c.verifications += 1;
        (
            StatusCode::OK,
            q.get("hub.challenge").cloned().unwrap_or_default(),
        )
    } else {
        c.failed_verifications += 1;
        (StatusCode::FORBIDDEN, "verification failed".into())
    }
}

async fn receive(State(app): State<App>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let received_at = SystemTime::now();
    let (status, refused) = process(&app, &headers, &body, received_at);
    if let Some(dir) = &app.cfg.capture {
        capture(&app, dir, &headers, &body, received_at, status, refused);
    }
    status
}

fn process(
    app: &App,
    headers: &HeaderMap,
    body: &Bytes,
    received_at: SystemTime,
) -> (StatusCode, Option<&'static str>) {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(secret) = &app.cfg.app_secret {
        let valid = signature
            .as_deref()
            .is_some_and(|s| verify_signature(secret.as_bytes(), body, s));
        if !valid {
            app.counters.lock().unwrap().bad_signature += 1;
            let why = if signature.is_none() {
                "no X-Hub-Signature-256 header"
            } else {
                "X-Hub-Signature-256 does not match the body and --app-secret"
            };
            return (StatusCode::UNAUTHORIZED, Some(why));
        }
    }
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(_) => {
            app.counters.lock().unwrap().malformed += 1;
            return (StatusCode::BAD_REQUEST, Some("not a webhook body (JSON)"));
        }
    };
    if !app.seen.lock().unwrap().first(body) {
        // A retry of a delivery already taken: Meta gets its 200, nothing runs twice.
        app.counters.lock().unwrap().duplicates += 1;
        return (StatusCode::OK, Some("a retried delivery, already taken"));
    }
    app.counters.lock().unwrap().accepted += 1;
    let _ = app.tx.send(Delivery {
        envelope,
        raw: body.clone(),
        signature,
        received_at,
    });
    (StatusCode::OK, None)
}

fn capture(
    app: &App,
    dir: &std::path::Path,
    headers: &HeaderMap,
    body: &[u8],
    at: SystemTime,
    status: StatusCode,
    refused: Option<&str>,
) {
    use std::sync::atomic::Ordering;
    let seq = app.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let ms = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let pairs = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let mut c = Capture::new(seq, ms, &app.cfg.path, pairs, body);
    c.status = status.as_u16();
    c.refused = refused.map(str::to_string);
    let text = serde_json::to_string_pretty(&c).expect("serialisable") + "\n";
    let r = crate::io::outfile::write(&dir.join(c.file_name()), text.as_bytes());
    let mut counters = app.counters.lock().unwrap();
    match r {
        Ok(()) => counters.captured += 1,
        Err(e) => {
            counters.capture_errors += 1;
            tracing::warn!(
                "cannot write capture {} in {}: {e}",
                c.file_name(),
                dir.display()
            );
        }
    }
}
