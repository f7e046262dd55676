//! A stand-in for the OpenAI Realtime API, for tests and the demo: it
//! speaks the GA protocol (session, VAD events from the audio's energy,
//! responses streamed as audio and transcript deltas faster than real time,
//! usage, truncation, `error` for bad client events), and its "model"
//! answers each utterance by saying it back. Pure: the server around it
//! feeds client events and the time in milliseconds, and sends what it says.

use super::events::decode_pcm;
use crate::core::audio::{dominant_frequency, level_dbfs};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// 10 ms frames louder than this are speech.
    pub speech_dbfs: f64,
    /// How much faster than real time responses stream (OpenAI's do too).
    pub pace: f64,
    /// Audio per delta.
    pub delta_ms: u64,
    /// Before each response: a non-JSON frame, an unknown event type and a
    /// known type with its fields missing, as a misbehaving server might send.
    pub garbage: bool,
}

impl Default for StandInConfig {
    fn default() -> Self {
        StandInConfig {
            speech_dbfs: -40.0,
            pace: 4.0,
            delta_ms: 100,
            garbage: false,
        }
    }
}

/// What the stand-in saw, for tests to check.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub session_updates: Vec<Value>,
    pub appended_ms: u64,
    pub responses: Vec<String>,
    pub cancels: u64,
    pub truncations: Vec<(String, u64)>,
    pub items_created: Vec<Value>,
    pub errors_sent: Vec<String>,
    /// When each speech_started was sent (ms on the server's clock).
    pub speech_started_at: Vec<u64>,
}

struct Playing {
    id: String,
    item_id: String,
    audio: Vec<i16>,
    sent: usize,
    next_at: u64,
    transcript: String,
    input_ms: u64,
}

pub struct StandIn {
    cfg: StandInConfig,
    session: Value,
    next_id: u64,
    pos_ms: u64,
    carry: Vec<i16>,
    recent: VecDeque<i16>,
    /// The utterance's item and where its first voiced frame began.
    speech: Option<(String, u64)>,
    utterance: Vec<i16>,
    silent_ms: u64,
    playing: Option<Playing>,
    items: HashMap<String, u64>,
    last_item: Option<String>,
    pub log: Log,
}

/// 24 kHz samples in 10 ms.
const TEN_MS: usize = 240;

pub fn known_model(model: &str) -> bool {
    model.starts_with("gpt-realtime")
        || model.starts_with("gpt-4o-realtime-preview")
        || model.starts_with("gpt-4o-mini-realtime-preview")
}

impl StandIn {
    pub fn new(cfg: StandInConfig, model: &str) -> StandIn {
        StandIn {
            cfg,
            session: json!({
                "type": "realtime", "model": model,
                "output_modalities": ["audio"], "instructions": "",
                "audio": {
                    "input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": null,
                              "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                                 "silence_duration_ms": 500, "create_response": true, "interrupt_response": true}},
                    "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0},
                },
            }),
            next_id: 0,
            pos_ms: 0,
            carry: Vec::new(),
            recent: VecDeque::new(),
            speech: None,
            utterance: Vec::new(),
            silent_ms: 0,
            playing: None,
            items: HashMap::new(),
            last_item: None,
            log: Log::default(),
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_standin{:06}", self.next_id)
    }

    fn event(&mut self, mut v: Value) -> String {
        v["event_id"] = Value::String(self.id("event"));
        v.to_string()
    }

    fn error(
        &mut self,
        code: &str,
        message: String,
        param: Option<&str>,
        client_event: Option<&str>,
    ) -> String {
        self.log.errors_sent.push(code.to_string());
        self.event(json!({"type": "error", "error": {
            "type": "invalid_request_error", "code": code, "message": message, "param": param, "event_id": client_event}}))
    }

    /// What a new connection is told first.
    pub fn hello(&mut self) -> Vec<String> {
        let s = self.session.clone();
        vec![self.event(json!({"type": "session.created", "session": s}))]
    }

    fn turn(&self, key: &str) -> Option<&Value> {
        self.session["audio"]["input"]["turn_detection"].get(key)
    }

    /// One client event (a WebSocket text frame) at `now` ms.
    pub fn on_client(&mut self, text: &str, now: u64) -> Vec<String> {
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                return vec![self.error(
                    "invalid_json",
                    format!("The event is not valid JSON: {e}"),
                    None,
                    None,
                )];
            }
        };
        let client_id = v
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let cid = client_id.as_deref();
        let Some(kind) = v.get("type").and_then(Value::as_str) else {
            return vec![self.error(
                "missing_required_parameter",
                "Missing required parameter: 'type'.".into(),
                Some("type"),
                cid,
            )];
        };
        match kind {
            "session.update" => self.session_update(&v, cid),
            "input_audio_buffer.append" => match v.get("audio").and_then(Value::as_str).map(decode_pcm) {
                Some(Ok(pcm)) => self.append(&pcm, now),
                Some(Err(e)) => vec![self.error("invalid_value", format!("Invalid 'audio': {e}"), Some("audio"), cid)],
                None => vec![self.error("missing_required_parameter", "Missing required parameter: 'audio'.".into(), Some("audio"), cid)],
            },
            "response.create" => {
                let instructions = v["response"]["instructions"].as_str().unwrap_or("Hello.").to_string();
                let ms = (instructions.len() as u64 * 40).clamp(300, 3000);
                let audio = tone24(660.0, ms);
                self.start_response(audio, instructions, 0, now)
            }
            "response.cancel" => {
                let wanted = v.get("response_id").and_then(Value::as_str);
                match &self.playing {
                    Some(p) if wanted.is_none_or(|w| w == p.id) => {
                        self.log.cancels += 1;
                        self.cancel("client_cancelled")
                    }
                    _ => vec![self.error("response_cancel_not_active", "Cancellation failed: no active response found.".into(), None, cid)],
                }
            }
            "conversation.item.truncate" => self.truncate(&v, cid),
            "conversation.item.create" => {
                let Some(item) = v.get("item").filter(|i| i.is_object()) else {
                    return vec![self.error("missing_required_parameter", "Missing required parameter: 'item'.".into(), Some("item"), cid)];
                };
                let mut item = item.clone();
                let id = self.id("item");
                item["id"] = Value::String(id.clone());
                item["object"] = json!("realtime.item");
                item["status"] = json!("completed");
                self.log.items_created.push(item.clone());
                let prev = self.last_item.replace(id);
                vec![
                    self.event(json!({"type": "conversation.item.added", "previous_item_id": prev, "item": item.clone()})),
                    self.event(json!({"type": "conversation.item.done", "previous_item_id": prev, "item": item})),
                ]
            }
            "input_audio_buffer.commit" | "input_audio_buffer.clear" | "conversation.item.delete"
            | "conversation.item.retrieve" => Vec::new(),
            "output_audio_buffer.clear" => vec![self.error(
                "invalid_value",
                "output_audio_buffer.clear is only supported for WebRTC and SIP connections.".into(),
                Some("type"),
                cid,
            )],
            other => vec![self.error(
                "invalid_value",
                format!("Invalid value: '{other}'. Supported values are: 'session.update', 'input_audio_buffer.append', 'response.create', ..."),
                Some("type"),
                cid,
            )],
        }
    }

    /// Caller audio that came as media (WebRTC) instead of `append` events.
    pub fn audio(&mut self, pcm: &[i16], now: u64) -> Vec<String> {
        self.append(pcm, now)
    }

    fn append(&mut self, pcm: &[i16], now: u64) -> Vec<String> {
        self.log.appended_ms += pcm.len() as u64 / 24;
        self.carry.extend_from_slice(pcm);
        let mut out = Vec::new();
        let frames: Vec<Vec<i16>> = {
            let n = self.carry.len() / TEN_MS * TEN_MS;
            self.carry
                .drain(..n)
                .collect::<Vec<_>>()
                .chunks(TEN_MS)
                .map(<[i16]>::to_vec)
                .collect()
        };
        for f in frames {
            out.extend(self.vad_frame(&f, now));
        }
        out
    }

    fn vad_frame(&mut self, f: &[i16], now: u64) -> Vec<String> {
        let voiced = level_dbfs(f) > self.cfg.speech_dbfs;
        let start_ms = self.pos_ms;
        self.pos_ms += 10;
        let prefix = self
            .turn("prefix_padding_ms")
            .and_then(Value::as_u64)
            .unwrap_or(300);
        let silence = self
            .turn("silence_duration_ms")
            .and_then(Value::as_u64)
            .unwrap_or(500);
        let mut out = Vec::new();
        match &self.speech {
            None if voiced => {
                let item = self.id("item");
                let audio_start_ms = start_ms.saturating_sub(prefix);
                self.utterance = self.recent.iter().copied().collect();
                self.utterance.extend_from_slice(f);
                self.silent_ms = 0;
                self.speech = Some((item.clone(), start_ms));
                self.log.speech_started_at.push(now);
                out.push(self.event(json!({"type": "input_audio_buffer.speech_started", "audio_start_ms": audio_start_ms, "item_id": item})));
                if self.playing.is_some()
                    && self.turn("interrupt_response") != Some(&Value::Bool(false))
                {
                    out.extend(self.cancel("turn_detected"));
                }
            }
            None => {
                self.recent.extend(f.iter().copied());
                let keep = (prefix as usize) * 24;
                while self.recent.len() > keep {
                    self.recent.pop_front();
                }
            }
            Some((item, voiced_from)) => {
                let (item, voiced_from) = (item.clone(), *voiced_from);
                self.utterance.extend_from_slice(f);
                self.silent_ms = if voiced { 0 } else { self.silent_ms + 10 };
                if self.silent_ms >= silence {
                    out.extend(self.end_of_turn(item, voiced_from, now));
                }
            }
        }
        out
    }

    fn end_of_turn(&mut self, item: String, voiced_from: u64, now: u64) -> Vec<String> {
        self.speech = None;
        self.recent.clear();
        let audio_end_ms = self.pos_ms - self.silent_ms;
        // What was said, without the trailing silence that ended the turn.
        let keep = self
            .utterance
            .len()
            .saturating_sub(self.silent_ms as usize * 24);
        let mut said = std::mem::take(&mut self.utterance);
        said.truncate(keep);
        let ms = said.len() as u64 / 24;
        // Described without the padding before the speech.
        let words = describe(&said, audio_end_ms.saturating_sub(voiced_from));
        let prev = self.last_item.replace(item.clone());
        let user = json!({"id": item, "object": "realtime.item", "type": "message", "role": "user", "status": "completed",
                          "content": [{"type": "input_audio", "transcript": null}]});
        let mut out = vec![
            self.event(json!({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": audio_end_ms, "item_id": item})),
            self.event(json!({"type": "input_audio_buffer.committed", "previous_item_id": prev, "item_id": item})),
            self.event(json!({"type": "conversation.item.added", "previous_item_id": prev, "item": user.clone()})),
            self.event(json!({"type": "conversation.item.done", "previous_item_id": prev, "item": user})),
        ];
        if self.session["audio"]["input"]["transcription"]["model"].is_string() {
            out.push(self.event(json!({"type": "conversation.item.input_audio_transcription.completed",
                "item_id": item, "content_index": 0, "transcript": words, "usage": {"type": "duration", "seconds": ms as f64 / 1000.0}})));
        }
        if self.turn("create_response") != Some(&Value::Bool(false)) && self.playing.is_none() {
            out.extend(self.start_response(said, format!("You said: {words}"), ms, now));
        }
        out
    }
}

/// The stand-in's "transcription": what it can honestly say about the audio.
fn describe(pcm24: &[i16], voiced_ms: u64) -> String {
    let secs = voiced_ms as f64 / 1000.0;
    // The middle third of a second is enough to name a pitch (3 Hz bins,
    // interpolated); the whole utterance cost an FFT of up to 2^16 points
    // per turn, a tenth of the stand-in's CPU with 200 calls.
    let keep = pcm24.len().min(ANALYSED);
    let from = (pcm24.len() - keep) / 2;
    // The analyser assumes 48 kHz: at 24 kHz every frequency reads double.
    match dominant_frequency(&pcm24[from..from + keep]) {
        Some(hz) => format!("[{secs:.1} s of sound at {:.0} Hz]", hz / 2.0),
        None => format!("[{secs:.1} s of silence]"),
    }
}

/// The samples [`describe`] analyses: 341 ms at 24 kHz.
const ANALYSED: usize = 8192;

/// A test tone at 24 kHz, what the stand-in says when asked to speak first.
fn tone24(hz: f64, ms: u64) -> Vec<i16> {
    (0..ms as usize * 24)
        .map(|i| {
            (0.3 * 32767.0 * (2.0 * std::f64::consts::PI * hz * i as f64 / 24_000.0).sin()) as i16
        })
        .collect()
}

mod respond;
mod session;

#[cfg(test)]
#[path = "standin_tests.rs"]
mod tests;
