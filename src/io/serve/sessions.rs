//! The calls a `wacall serve` process holds: each one's state, timeline and
//! traffic as its bridge reports them, and the service's metrics.

use crate::core::bridge::{BridgeReport, Ending, Traffic};
use crate::core::metrics::Metrics;
use crate::io::bridge::{self, BridgeConfig, Event, FarEndSetup, Signalling};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{oneshot, watch};

/// Ended sessions kept for `GET /sessions/{id}`, oldest dropped first.
const KEEP_ENDED: usize = 1000;

pub struct Session {
    pub call_id: String,
    pub from: Option<String>,
    pub started_at: SystemTime,
    pub state: &'static str,
    pub steps: Vec<(Duration, String)>,
    pub traffic: Option<Traffic>,
    pub report: Option<Value>,
    hangup: watch::Sender<Option<Ending>>,
}

impl Session {
    pub fn json(&self, full: bool) -> Value {
        let started = self
            .started_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut v = json!({"callId": self.call_id, "from": self.from, "state": self.state, "startedAtMs": started});
        if full {
            v["timeline"] = Value::Array(
                self.steps
                    .iter()
                    .map(|(at, what)| json!({"atMs": at.as_secs_f64() * 1000.0, "what": what}))
                    .collect(),
            );
            v["stats"] = serde_json::to_value(&self.traffic).unwrap_or(Value::Null);
            v["report"] = self.report.clone().unwrap_or(Value::Null);
        }
        v
    }
}

#[derive(Default)]
pub struct Registry {
    sessions: Mutex<HashMap<String, Session>>,
    ended_order: Mutex<std::collections::VecDeque<String>>,
    pub metrics: Mutex<Metrics>,
    pub draining: AtomicBool,
    /// Each call's recording, report and transcript go here (`--record-dir`).
    pub record_dir: Option<std::path::PathBuf>,
    /// At most this many calls at once (`--max-calls`).
    pub max_calls: Option<usize>,
}

/// A call refused because `--max-calls` calls are in progress.
#[derive(Debug)]
pub struct Full(pub usize);

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at capacity: --max-calls {} reached", self.0)
    }
}

impl Registry {
    pub fn new(record_dir: Option<std::path::PathBuf>, max_calls: Option<usize>) -> Registry {
        Registry {
            record_dir,
            max_calls,
            ..Registry::default()
        }
    }

    pub fn active(&self) -> usize {
        live(&self.sessions.lock().unwrap())
    }

    /// Whether `--max-calls` calls are in progress: new ones are refused.
    pub fn full(&self) -> bool {
        self.max_calls.is_some_and(|max| self.active() >= max)
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    pub fn list(&self) -> Vec<Value> {
        let mut v: Vec<(SystemTime, Value)> = self
            .sessions
            .lock()
            .unwrap()
            .values()
            .map(|s| (s.started_at, s.json(false)))
            .collect();
        v.sort_by_key(|(t, _)| *t);
        v.into_iter().map(|(_, j)| j).collect()
    }

    pub fn get(&self, call_id: &str) -> Option<Value> {
        self.sessions
            .lock()
            .unwrap()
            .get(call_id)
            .map(|s| s.json(true))
    }

    /// The ids of the calls in progress.
    pub fn live_ids(&self) -> Vec<String> {
        self.sessions
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.state != "ended")
            .map(|s| s.call_id.clone())
            .collect()
    }

    pub fn has_live(&self, call_id: &str) -> bool {
        self.sessions
            .lock()
            .unwrap()
            .get(call_id)
            .is_some_and(|s| s.state != "ended")
    }

    /// Ends a live call (the bridge sends terminate in Graph mode).
    pub fn hang_up(&self, call_id: &str, why: Ending) -> bool {
        match self.sessions.lock().unwrap().get(call_id) {
            Some(s) if s.state != "ended" => s.hangup.send(Some(why)).is_ok(),
            _ => false,
        }
    }

    pub fn hang_up_all(&self, why: Ending) {
        for s in self
            .sessions
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.state != "ended")
        {
            let _ = s.hangup.send(Some(why.clone()));
        }
    }

    fn update(&self, call_id: &str, f: impl FnOnce(&mut Session)) {
        if let Some(s) = self.sessions.lock().unwrap().get_mut(call_id) {
            f(s);
        }
    }

    fn ended(&self, call_id: &str, report: &BridgeReport) {
        {
            let mut m = self.metrics.lock().unwrap();
            if report.ok {
                m.succeeded += 1;
            } else {
                let layer = report
                    .layer
                    .and_then(|l| serde_json::to_value(l).ok())
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| "other".into());
                *m.failed.entry(layer).or_default() += 1;
            }
            let t = &report.timeline;
            if let Some(answer) = t.pre_accept.or(t.answer_ready) {
                if let (Some(a), Some(b)) = (t.first_rtp_in, t.first_rtp_out) {
                    m.setup_ms
                        .observe(a.max(b).saturating_sub(answer).as_secs_f64() * 1000.0);
                }
                if let Some(a) = t.first_rtp_in {
                    m.first_audio_ms
                        .observe(a.saturating_sub(answer).as_secs_f64() * 1000.0);
                }
            }
            m.packets_in += report.traffic.packets_in;
            m.packets_out += report.traffic.packets_out;
            m.packets_lost += report.traffic.lost_in;
            m.frames_skipped += report.traffic.skipped_frames_out;
            if report.traffic.packets_in > 0 {
                m.jitter_ms.observe(report.traffic.jitter_ms_in);
            }
            if let Some(far) = &report.far_end_summary {
                m.cost_usd += far["cost_usd"].as_f64().unwrap_or(0.0);
                for ms in far["turn_latency_ms"].as_array().into_iter().flatten() {
                    m.turn_latency_ms.observe(ms.as_f64().unwrap_or(0.0));
                }
            }
        }
        self.update(call_id, |s| {
            s.state = "ended";
            s.traffic = Some(report.traffic.clone());
            s.report = crate::output::bridge::summary_json(report)
                .get("data")
                .cloned();
        });
        let mut order = self.ended_order.lock().unwrap();
        order.push_back(call_id.to_string());
        if order.len() > KEEP_ENDED
            && let Some(old) = order.pop_front()
        {
            self.sessions.lock().unwrap().remove(&old);
        }
    }
}

/// Starts one call's bridge. The answer, once made, goes to `answer`
/// (for `POST /sessions/start`); the report, at the end, to the registry.
/// A call to take: its id, who calls, and WhatsApp's offer.
pub struct NewCall {
    pub call_id: String,
    pub from: Option<String>,
    pub offer: String,
}

fn live(sessions: &HashMap<String, Session>) -> usize {
    sessions.values().filter(|s| s.state != "ended").count()
}

/// Refused with [`Full`] when `--max-calls` calls are in progress: counted
/// and taken under one lock, so concurrent starts cannot overshoot.
pub fn start_call(
    reg: &Arc<Registry>,
    call: NewCall,
    far: FarEndSetup,
    cfg: BridgeConfig,
    sig: Signalling,
    answer: Option<oneshot::Sender<Result<String, String>>>,
) -> Result<tokio::task::JoinHandle<BridgeReport>, Full> {
    let NewCall {
        call_id,
        from,
        offer,
    } = call;
    let call_id = call_id.as_str();
    let (hangup, hangup_rx) = watch::channel(None);
    let mut sessions = reg.sessions.lock().unwrap();
    if let Some(max) = reg.max_calls
        && live(&sessions) >= max
    {
        drop(sessions);
        reg.metrics.lock().unwrap().rejected_full += 1;
        return Err(Full(max));
    }
    sessions.insert(
        call_id.to_string(),
        Session {
            call_id: call_id.to_string(),
            from,
            started_at: SystemTime::now(),
            state: "connecting",
            steps: Vec::new(),
            traffic: None,
            report: None,
            hangup,
        },
    );
    drop(sessions);
    reg.metrics.lock().unwrap().started += 1;
    let mut cfg = cfg;
    let files = reg.record_dir.as_ref().map(|d| d.join(file_stem(call_id)));
    if let Some(stem) = &files {
        cfg.record = Some(suffixed(stem, "wav"));
    }
    let (reg, id) = (reg.clone(), call_id.to_string());
    Ok(tokio::spawn(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let call = bridge::run_setup(&offer, far, cfg, sig, tx, hangup_rx);
        tokio::pin!(call);
        let mut answer = answer;
        let on = |e: Event, answer: &mut Option<oneshot::Sender<Result<String, String>>>| match e {
            Event::Step { at, what } => reg.update(&id, |s| {
                if what == "first RTP in" {
                    s.state = "active";
                }
                s.steps.push((at, what));
            }),
            Event::Answer { sdp, sent, .. } => {
                if let Some(tx) = answer.take() {
                    let _ = tx.send(if sent {
                        Ok(sdp)
                    } else {
                        Err("the answer failed lint".into())
                    });
                }
            }
            Event::Stats { traffic, .. } => reg.update(&id, |s| s.traffic = Some(traffic)),
            Event::Graph { at, outcome } => reg.update(&id, |s| {
                s.steps.push((
                    at,
                    format!(
                        "{}: {}",
                        outcome.action.as_str(),
                        outcome
                            .status
                            .map_or("no response".into(), |c| format!("HTTP {c}"))
                    ),
                ))
            }),
            Event::Note { .. } => {}
        };
        let report = loop {
            tokio::select! {
                r = &mut call => {
                    while let Ok(e) = rx.try_recv() { on(e, &mut answer); }
                    break r;
                }
                Some(e) = rx.recv() => on(e, &mut answer),
            }
        };
        if let Some(tx) = answer.take() {
            let _ = tx.send(Err(report.reason.clone()));
        }
        reg.ended(&id, &report);
        if let Some(stem) = files {
            write_record(&stem, &id, &report);
        }
        report
    }))
}

/// `stem.ext`; not `with_extension`, which would cut a call id at its dot.
fn suffixed(stem: &std::path::Path, ext: &str) -> std::path::PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    s.into()
}

/// A call id as a file name: WhatsApp's ids are base64 (`/`, `+`, `=`).
pub fn file_stem(call_id: &str) -> String {
    call_id
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            '/' => '_',
            '+' => '-',
            _ => '~',
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// `<stem>.json` (the call's report, timeline and far end's summary) and,
/// when the far end kept one, `<stem>.txt` (the transcript, a line a turn).
fn write_record(stem: &std::path::Path, call_id: &str, report: &BridgeReport) {
    let mut doc = crate::output::bridge::summary_json(report)
        .get("data")
        .cloned()
        .unwrap_or(Value::Null);
    doc["call_id"] = json!(call_id);
    let _ = crate::io::outfile::write(&suffixed(stem, "json"), format!("{doc:#}\n").as_bytes());
    let lines: Vec<String> = report
        .far_end_summary
        .as_ref()
        .and_then(|f| f["transcript"].as_array())
        .map(|t| {
            t.iter()
                .map(|l| {
                    format!(
                        "{}: {}",
                        l["who"].as_str().unwrap_or("?"),
                        l["text"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if !lines.is_empty() {
        let _ = crate::io::outfile::write(
            &suffixed(stem, "txt"),
            format!("{}\n", lines.join("\n")).as_bytes(),
        );
    }
}
