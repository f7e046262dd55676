//! The OpenAI Realtime API as a far end, over its WebSocket: the
//! conversation state machine (core) fed by one task that owns the socket.
//! The media loop meets it through `hear`/`speak`, which only lock, compute
//! and wake the task: they never wait on the network.

mod calls;
mod link;
pub mod socket;
pub mod standin_rtc;
pub mod standin_server;
pub mod webrtc;

use crate::core::realtime::{Conversation, Notice, Prices, Role, SessionConfig};
use crate::core::sim::report::quantile;
use crate::io::farend::{FarEnd, Note};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub const DEFAULT_URL: &str = "wss://api.openai.com/v1/realtime";

#[derive(Clone)]
pub struct OpenAiConfig {
    /// The Realtime WebSocket endpoint, without `?model=`.
    pub url: String,
    pub key: String,
    pub session: SessionConfig,
    pub prices: Prices,
    /// Opening the socket and getting `session.updated`, each.
    pub connect_timeout: Duration,
    /// How long a dropped socket may take to come back before the call ends.
    pub reconnect_for: Duration,
    pub transport: Transport,
}

/// How the call's audio reaches OpenAI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// PCM16 at 24 kHz in events on the WebSocket (decoded, resampled).
    #[default]
    WebSocket,
    /// Opus forwarded on a WebRTC leg; events on the `oai-events` channel.
    WebRtc,
}

impl std::fmt::Debug for OpenAiConfig {
    // The key never reaches a log or an error message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("url", &self.url)
            .field("key", &"<redacted>")
            .field("session", &self.session)
            .field("transport", &self.transport)
            .finish()
    }
}

/// State shared between the media loop's calls and the socket's task.
pub(crate) struct Shared {
    pub conv: Conversation,
    pub notes: Vec<Note>,
    pub failure: Option<String>,
    /// RTP arrival to its `append` written on the socket.
    pub append_latency: Vec<Duration>,
}

impl Shared {
    pub(crate) fn note(&mut self, kind: &'static str, text: impl Into<String>) {
        self.notes.push(Note {
            kind,
            text: text.into(),
        });
    }
}

pub struct OpenAi {
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
    model: String,
    prices: Prices,
}

impl Drop for OpenAi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl OpenAi {
    /// Opens the socket and configures the session; a bad key, model or URL
    /// fails here, before the call is accepted.
    pub async fn connect(cfg: OpenAiConfig) -> anyhow::Result<OpenAi> {
        let conv = Conversation::new(cfg.session.clone());
        let shared = Arc::new(Mutex::new(Shared {
            conv,
            notes: Vec::new(),
            failure: None,
            append_latency: Vec::new(),
        }));
        let wake = Arc::new(Notify::new());
        let socket = link::open(&cfg, &shared).await?;
        let task = tokio::spawn(link::run(socket, cfg.clone(), shared.clone(), wake.clone()));
        Ok(OpenAi {
            shared,
            wake,
            task,
            model: cfg.session.model.clone(),
            prices: cfg.prices,
        })
    }
}

pub(crate) fn note_of(n: Notice) -> Note {
    match n {
        Notice::Said {
            who: Role::Caller,
            text,
        } => Note {
            kind: "caller",
            text,
        },
        Notice::Said {
            who: Role::Ai,
            text,
        } => Note { kind: "ai", text },
        Notice::BargeIn {
            item_id,
            audio_end_ms,
            dropped_ms,
        } => Note {
            kind: "barge-in",
            text: format!(
                "the caller spoke over the AI: playout stopped after {audio_end_ms} ms of {item_id} ({dropped_ms} ms dropped), response cancelled, item truncated"
            ),
        },
        Notice::Error(text) => Note {
            kind: "openai error",
            text,
        },
        Notice::Malformed(text) => Note {
            kind: "openai",
            text: format!("ignored a server event: {text}"),
        },
    }
}

/// What both transports report at the end: the conversation, its usage and
/// its estimated cost, and the transcript.
pub(crate) fn conversation_summary(
    transport: &str,
    model: &str,
    prices: &Prices,
    (responses, barge_ins, usage): (u64, u64, &crate::core::realtime::Usage),
    turns: &crate::core::realtime::TurnLatency,
    history: &[(Role, String)],
) -> serde_json::Value {
    json!({
        "far_end": "openai",
        "transport": transport,
        "model": model,
        "responses": responses,
        "barge_ins": barge_ins,
        // From the end of each caller turn to the first audio of its answer.
        "turn_latency": ms_quantiles(&turns.samples),
        "turn_latency_ms": turns.ms(),
        "usage": usage,
        "cost_usd": prices.cost(usage),
        "prices_usd_per_million": prices,
        "prices_as_of": crate::core::realtime::session::PRICES_AS_OF,
        "transcript": history.iter().map(|(who, text)| json!({"who": who, "text": text})).collect::<Vec<_>>(),
    })
}

pub(crate) fn ms_quantiles(v: &[Duration]) -> serde_json::Value {
    let mut ms: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    json!({
        "count": ms.len(),
        "p50_ms": quantile(&ms, 0.5),
        "p99_ms": quantile(&ms, 0.99),
        "max_ms": ms.last(),
    })
}

impl FarEnd for OpenAi {
    fn name(&self) -> String {
        format!("openai:{}", self.model)
    }

    /// The Realtime API's own rate: the call's codec converts, no resampler.
    fn rate(&self) -> u32 {
        crate::core::realtime::RATE
    }

    fn hear(&mut self, samples: &[i16], at: Instant) {
        self.shared.lock().unwrap().conv.hear(samples, at);
        self.wake.notify_one();
    }

    fn speak(&mut self, out: &mut [i16]) {
        self.shared.lock().unwrap().conv.speak(Instant::now(), out)
    }

    fn start(&mut self) {
        self.shared.lock().unwrap().conv.media_started();
        self.wake.notify_one();
    }

    fn notes(&mut self) -> Vec<Note> {
        let mut s = self.shared.lock().unwrap();
        let notices = s.conv.notices();
        let mut out = std::mem::take(&mut s.notes);
        out.extend(notices.into_iter().map(note_of));
        out
    }

    fn failure(&mut self) -> Option<String> {
        self.shared.lock().unwrap().failure.clone()
    }

    fn summary(&self) -> Option<serde_json::Value> {
        let s = self.shared.lock().unwrap();
        let c = &s.conv;
        let mut v = conversation_summary(
            "websocket",
            &self.model,
            &self.prices,
            (c.responses, c.barge_ins, &c.usage),
            &c.turn_latency,
            c.history(),
        );
        v["reconnects"] = json!(c.reconnects);
        v["lost_caller_ms"] = json!(c.lost_caller_ms);
        v["latency"] = json!({
            "rtp_in_to_append_out": ms_quantiles(&s.append_latency),
            "delta_in_to_frame_out": ms_quantiles(&c.playout.latencies),
        });
        Some(v)
    }
}
