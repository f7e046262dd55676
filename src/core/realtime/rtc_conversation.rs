//! The Realtime conversation over WebRTC. Audio is Opus on the media track,
//! forwarded without decoding, so what is left is the `oai-events` data
//! channel: the transcript, usage, errors, the greeting, and whether the AI
//! is talking. On WebRTC the service handles barge-in itself (it stops its
//! audio and truncates the item to what was played); the bridge only drops
//! the few frames it holds, when told to by `take_flush`.

use super::conversation::Notice;
use super::events::{ClientEvent, Role, ServerEvent, Usage};
use super::session::SessionConfig;
use std::collections::VecDeque;
use std::time::Instant;

pub struct RtcConversation {
    cfg: SessionConfig,
    outbox: VecDeque<ClientEvent>,
    notices: VecDeque<Notice>,
    ready: bool,
    media_up: bool,
    greeted: bool,
    ai_speaking: bool,
    flush: bool,
    history: Vec<(Role, String)>,
    pub usage: Usage,
    pub responses: u64,
    pub barge_ins: u64,
    pub turn_latency: super::TurnLatency,
}

impl RtcConversation {
    pub fn new(cfg: SessionConfig) -> RtcConversation {
        RtcConversation {
            cfg,
            outbox: VecDeque::new(),
            notices: VecDeque::new(),
            ready: false,
            media_up: false,
            greeted: false,
            ai_speaking: false,
            flush: false,
            history: Vec::new(),
            usage: Usage::default(),
            responses: 0,
            barge_ins: 0,
            turn_latency: super::TurnLatency::default(),
        }
    }

    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    /// Media is up both ways: a greeting may go now.
    pub fn media_started(&mut self) {
        self.media_up = true;
        self.maybe_greet();
    }

    fn maybe_greet(&mut self) {
        if self.ready && self.media_up && !self.greeted {
            self.greeted = true;
            if let Some(g) = self.cfg.greet() {
                self.outbox.push_back(g);
            }
        }
    }

    pub fn on_text(&mut self, text: &str, now: Instant) {
        match ServerEvent::parse(text) {
            Ok(e) => self.on_server(e, now),
            Err(e) => self.notices.push_back(Notice::Malformed(e.0)),
        }
    }

    pub fn on_server(&mut self, ev: ServerEvent, now: Instant) {
        match ev {
            // The session was configured by the call's own request.
            ServerEvent::SessionCreated | ServerEvent::SessionUpdated => {
                self.ready = true;
                self.maybe_greet();
            }
            ServerEvent::SpeechStarted { .. } => {
                self.turn_latency.caller_spoke();
                self.flush |= self.ai_speaking;
            }
            ServerEvent::SpeechStopped { .. } => self.turn_latency.turn_ended(now),
            ServerEvent::Truncated {
                item_id,
                audio_end_ms,
            } => {
                self.barge_ins += 1;
                self.notices.push_back(Notice::BargeIn {
                    item_id,
                    audio_end_ms,
                    dropped_ms: 0,
                });
            }
            ServerEvent::TranscriptDone { transcript, .. } => self.said(Role::Ai, transcript),
            ServerEvent::CallerTranscript { transcript, .. } => self.said(Role::Caller, transcript),
            ServerEvent::ResponseDone { usage, .. } => {
                self.usage.add(&usage);
                self.responses += 1;
            }
            ServerEvent::Error {
                kind,
                code,
                message,
            } => self.notices.push_back(Notice::Error(match code {
                Some(c) => format!("{kind} ({c}): {message}"),
                None => format!("{kind}: {message}"),
            })),
            ServerEvent::Other { kind } => match kind.as_str() {
                "output_audio_buffer.started" => {
                    self.ai_speaking = true;
                    self.turn_latency.ai_audio(now);
                }
                "output_audio_buffer.stopped" => self.ai_speaking = false,
                "output_audio_buffer.cleared" => {
                    self.ai_speaking = false;
                    self.flush = true;
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn said(&mut self, who: Role, text: String) {
        let text = text.trim().to_string();
        if !text.is_empty() {
            self.history.push((who, text.clone()));
            self.notices.push_back(Notice::Said { who, text });
        }
    }

    /// Whether the bridge must drop the AI audio it holds (once per barge-in).
    pub fn take_flush(&mut self) -> bool {
        std::mem::take(&mut self.flush)
    }

    /// Client events to send on the data channel, in order.
    pub fn drain(&mut self) -> Vec<ClientEvent> {
        self.outbox.drain(..).collect()
    }

    pub fn notices(&mut self) -> Vec<Notice> {
        self.notices.drain(..).collect()
    }

    pub fn history(&self) -> &[(Role, String)] {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(v: serde_json::Value) -> String {
        v.to_string()
    }

    #[test]
    fn the_greeting_waits_for_the_session_and_media() {
        let t0 = Instant::now();
        let mut c = RtcConversation::new(SessionConfig {
            greeting: Some("Hi".into()),
            ..SessionConfig::default()
        });
        c.media_started();
        assert!(c.drain().is_empty(), "no session yet");
        c.on_text(&ev(json!({"type": "session.created", "session": {}})), t0);
        let out = c.drain();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind(), "response.create");
        c.on_text(&ev(json!({"type": "session.updated", "session": {}})), t0);
        assert!(c.drain().is_empty(), "greeted once");
    }

    #[test]
    fn barge_in_flushes_only_while_the_ai_talks_and_is_reported_from_the_truncation() {
        let t0 = Instant::now();
        let mut c = RtcConversation::new(SessionConfig::default());
        c.on_text(
            &ev(json!({"type": "input_audio_buffer.speech_started", "audio_start_ms": 0, "item_id": "i1"})),
            t0,
        );
        assert!(!c.take_flush(), "the AI was quiet");
        c.on_text(
            &ev(json!({"type": "output_audio_buffer.started", "response_id": "r1"})),
            t0,
        );
        c.on_text(
            &ev(json!({"type": "input_audio_buffer.speech_started", "audio_start_ms": 900, "item_id": "i2"})),
            t0,
        );
        assert!(c.take_flush());
        assert!(!c.take_flush(), "once");
        c.on_text(
            &ev(json!({"type": "conversation.item.truncated", "item_id": "a1", "content_index": 0, "audio_end_ms": 640})),
            t0,
        );
        assert_eq!(c.barge_ins, 1);
        assert!(
            matches!(&c.notices()[..], [Notice::BargeIn { item_id, audio_end_ms: 640, .. }] if item_id == "a1")
        );
    }

    #[test]
    fn the_ais_answer_is_timed_from_the_end_of_the_callers_turn() {
        let t0 = Instant::now();
        let at = |ms| t0 + std::time::Duration::from_millis(ms);
        let mut c = RtcConversation::new(SessionConfig::default());
        c.on_text(
            &ev(json!({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 1000, "item_id": "i1"})),
            at(1000),
        );
        c.on_text(
            &ev(json!({"type": "output_audio_buffer.started", "response_id": "r1"})),
            at(1350),
        );
        assert_eq!(c.turn_latency.ms(), vec![350.0]);
    }

    #[test]
    fn transcripts_usage_and_errors_are_kept() {
        let t0 = Instant::now();
        let mut c = RtcConversation::new(SessionConfig::default());
        c.on_text(
            &ev(json!({"type": "conversation.item.input_audio_transcription.completed", "item_id": "u1", "content_index": 0, "transcript": " hello "})),
            t0,
        );
        c.on_text(
            &ev(json!({"type": "response.output_audio_transcript.done", "response_id": "r", "item_id": "a1", "output_index": 0, "content_index": 0, "transcript": "You said hello"})),
            t0,
        );
        c.on_text(
            &ev(json!({"type": "response.done", "response": {"id": "r", "status": "completed", "usage": {"total_tokens": 30, "input_tokens": 10, "output_tokens": 20,
                "input_token_details": {"audio_tokens": 10, "text_tokens": 0, "cached_tokens": 0}, "output_token_details": {"audio_tokens": 20, "text_tokens": 0}}}})),
            t0,
        );
        c.on_text("{not json", t0);
        assert_eq!(
            c.history(),
            &[
                (Role::Caller, "hello".to_string()),
                (Role::Ai, "You said hello".to_string())
            ]
        );
        assert_eq!(c.responses, 1);
        assert!(c.usage.total() > 0, "{:?}", c.usage);
        let n = c.notices();
        assert!(n.iter().any(|x| matches!(x, Notice::Malformed(_))), "{n:?}");
    }
}
