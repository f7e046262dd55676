//! One call's conversation with the Realtime API, as a state machine: the
//! caller's audio in (48 kHz), server events in, the AI's audio out (48 kHz,
//! 20 ms at a time) and client events out. No socket and no clock: the
//! transport feeds it and the tests drive it on a fake clock.
//!
//! The rules it keeps: the greeting waits until the session is configured
//! and media is up; on `speech_started` playout stops at once, an active
//! response is cancelled, and every item that lost audio is truncated at
//! what the caller actually heard; a reconnect restores the session, the
//! conversation so far (as text) and the caller's audio from the gap.

use super::events::{ClientEvent, Role, ServerEvent, Usage};
use super::playout::{Cut, ItemRef, Playout};
use super::session::SessionConfig;
use crate::core::audio::{FRAME, ResampleError, Resampler};
use std::collections::{HashSet, VecDeque};
use std::time::Instant;

/// 24 kHz samples per 20 ms append.
const APPEND: usize = 480;
/// Caller audio kept while the socket is down: 10 s at 24 kHz.
const HOLD_MAX: usize = 240_000;

/// Something worth showing the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A finished line of the transcript.
    Said { who: Role, text: String },
    /// The caller spoke over the AI: how much of the item they heard.
    BargeIn {
        item_id: String,
        audio_end_ms: u64,
        dropped_ms: u64,
    },
    /// An `error` event (other than the expected cancel race).
    Error(String),
    /// A server event the bridge could not read; the call goes on.
    Malformed(String),
}

/// A client event on its way out; `heard_at` is when the caller audio in
/// it arrived, so the transport can measure the bridge's latency.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub event: ClientEvent,
    pub heard_at: Option<Instant>,
}

pub struct Conversation {
    cfg: SessionConfig,
    down: Resampler,
    up: Resampler,
    pub playout: Playout,
    outbox: VecDeque<Outgoing>,
    notices: VecDeque<Notice>,
    connected: bool,
    ready: bool,
    media_up: bool,
    greeted: bool,
    held: VecDeque<i16>,
    active_response: Option<String>,
    cancelled: HashSet<String>,
    receiving: Option<ItemRef>,
    history: Vec<(Role, String)>,
    scratch: Vec<i16>,
    pub usage: Usage,
    pub responses: u64,
    pub barge_ins: u64,
    /// Caller audio dropped because the socket stayed down too long, in ms.
    pub lost_caller_ms: u64,
    pub reconnects: u64,
}

impl Conversation {
    pub fn new(cfg: SessionConfig) -> Result<Conversation, ResampleError> {
        Ok(Conversation {
            cfg,
            down: Resampler::new(48_000, 24_000, FRAME)?,
            // 5 ms blocks: a delta waits at most that long for the resampler.
            up: Resampler::new(24_000, 48_000, 120)?,
            playout: Playout::default(),
            outbox: VecDeque::new(),
            notices: VecDeque::new(),
            connected: false,
            ready: false,
            media_up: false,
            greeted: false,
            held: VecDeque::new(),
            active_response: None,
            cancelled: HashSet::new(),
            receiving: None,
            history: Vec::new(),
            scratch: Vec::with_capacity(FRAME * 2),
            usage: Usage::default(),
            responses: 0,
            barge_ins: 0,
            lost_caller_ms: 0,
            reconnects: 0,
        })
    }

    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    fn send(&mut self, event: ClientEvent) {
        self.outbox.push_back(Outgoing {
            event,
            heard_at: None,
        });
    }

    /// The socket is open (again): configure the session, restore what was said, send what was held.
    pub fn connected(&mut self) {
        let again = self.reconnects > 0 || !self.history.is_empty() || !self.held.is_empty();
        self.connected = true;
        self.ready = false;
        self.send(self.cfg.update());
        if again {
            let restore: Vec<ClientEvent> = self
                .history
                .iter()
                .map(|(who, text)| ClientEvent::text_item(*who, text))
                .collect();
            for e in restore {
                self.send(e);
            }
        }
        let held: Vec<i16> = self.held.drain(..).collect();
        for chunk in held.chunks(APPEND) {
            self.send(ClientEvent::append(chunk));
        }
    }

    /// The socket is gone: what was in flight is lost; queued audio still plays.
    pub fn disconnected(&mut self, now: Instant) {
        if self.connected {
            self.reconnects += 1;
        }
        self.connected = false;
        self.ready = false;
        self.outbox
            .retain(|o| !matches!(o.event, ClientEvent::Append { .. }));
        if let Some(id) = self.active_response.take() {
            self.cancelled.insert(id);
        }
        self.finish_item(now);
    }

    /// What the caller said: 48 kHz, in order. Sent on at once (one append
    /// per RTP packet), so no audio waits in the bridge for a fuller chunk.
    pub fn hear(&mut self, samples: &[i16], at: Instant) {
        self.scratch.clear();
        self.down.push(samples, &mut self.scratch);
        if self.scratch.is_empty() {
            return;
        }
        if self.connected {
            self.outbox.push_back(Outgoing {
                event: ClientEvent::append(&self.scratch),
                heard_at: Some(at),
            });
        } else {
            self.held.extend(self.scratch.iter().copied());
            let over = self.held.len().saturating_sub(HOLD_MAX);
            if over > 0 {
                self.held.drain(..over);
                self.lost_caller_ms += over as u64 / 24;
            }
        }
    }

    /// Accepted and media flowing: the AI may speak first now.
    pub fn media_started(&mut self) {
        self.media_up = true;
        self.maybe_greet();
    }

    fn maybe_greet(&mut self) {
        if self.media_up
            && self.ready
            && !self.greeted
            && let Some(e) = self.cfg.greet()
        {
            self.greeted = true;
            self.send(e);
        }
    }

    /// The next 20 ms for the caller.
    pub fn speak(&mut self, now: Instant) -> [i16; FRAME] {
        self.playout.pop_frame(now)
    }

    /// The item whose audio was arriving is complete: push out the resampler's tail.
    fn finish_item(&mut self, at: Instant) {
        if let Some(item) = self.receiving.take() {
            self.scratch.clear();
            self.up.flush(&mut self.scratch);
            self.playout.push(&item, &self.scratch, at);
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
            ServerEvent::SessionUpdated => {
                self.ready = true;
                self.maybe_greet();
            }
            ServerEvent::SpeechStarted { .. } => self.barge_in(),
            ServerEvent::ResponseCreated { response_id } => {
                self.active_response = Some(response_id);
            }
            ServerEvent::AudioDelta {
                response_id,
                item_id,
                content_index,
                pcm,
            } => {
                if self.cancelled.contains(&response_id) {
                    return;
                }
                let item = ItemRef {
                    item_id,
                    content_index,
                };
                if self.receiving.as_ref() != Some(&item) {
                    self.finish_item(now);
                    self.receiving = Some(item.clone());
                }
                self.scratch.clear();
                self.up.push(&pcm, &mut self.scratch);
                self.playout.push(&item, &self.scratch, now);
            }
            ServerEvent::AudioDone { item_id } => {
                if self
                    .receiving
                    .as_ref()
                    .is_some_and(|i| i.item_id == item_id)
                {
                    self.finish_item(now);
                }
            }
            ServerEvent::TranscriptDone { transcript, .. } => {
                self.said(Role::Ai, transcript);
            }
            ServerEvent::CallerTranscript { transcript, .. } => {
                self.said(Role::Caller, transcript);
            }
            ServerEvent::ResponseDone {
                response_id, usage, ..
            } => {
                self.usage.add(&usage);
                self.responses += 1;
                if self.active_response.as_deref() == Some(&response_id) {
                    self.active_response = None;
                }
            }
            // The server cancels on its own when it detects speech; ours may arrive after.
            ServerEvent::Error { code, .. }
                if code.as_deref() == Some("response_cancel_not_active") => {}
            ServerEvent::Error {
                kind,
                code,
                message,
            } => self.notices.push_back(Notice::Error(match code {
                Some(c) => format!("{kind} ({c}): {message}"),
                None => format!("{kind}: {message}"),
            })),
            ServerEvent::SessionCreated
            | ServerEvent::SpeechStopped { .. }
            | ServerEvent::TranscriptDelta { .. }
            | ServerEvent::Truncated { .. }
            | ServerEvent::Other { .. } => {}
        }
    }

    fn said(&mut self, who: Role, text: String) {
        let text = text.trim().to_string();
        if text.is_empty() {
            return;
        }
        self.history.push((who, text.clone()));
        self.notices.push_back(Notice::Said { who, text });
    }

    /// The caller spoke over the AI.
    fn barge_in(&mut self) {
        let mut cuts = self.playout.flush();
        if let Some(item) = self.receiving.take() {
            self.up.reset();
            if !cuts.iter().any(|c| c.item == item) {
                cuts.push(Cut {
                    audio_end_ms: self.playout.played_ms(&item),
                    item,
                    dropped_ms: 0,
                });
            }
        }
        if let Some(id) = self.active_response.take() {
            self.send(ClientEvent::ResponseCancel {
                response_id: Some(id.clone()),
            });
            self.cancelled.insert(id);
        }
        if !cuts.is_empty() {
            self.barge_ins += 1;
        }
        for c in cuts {
            self.send(ClientEvent::Truncate {
                item_id: c.item.item_id.clone(),
                content_index: c.item.content_index,
                audio_end_ms: c.audio_end_ms,
            });
            self.notices.push_back(Notice::BargeIn {
                item_id: c.item.item_id,
                audio_end_ms: c.audio_end_ms,
                dropped_ms: c.dropped_ms,
            });
        }
    }

    /// Client events to send, in order.
    pub fn drain(&mut self) -> Vec<Outgoing> {
        self.outbox.drain(..).collect()
    }

    pub fn notices(&mut self) -> Vec<Notice> {
        self.notices.drain(..).collect()
    }

    /// The transcript so far.
    pub fn history(&self) -> &[(Role, String)] {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audio::{Tone, dominant_frequency};
    use crate::core::realtime::events::decode_pcm;
    use serde_json::json;
    use std::time::Duration;

    fn greeter() -> Conversation {
        Conversation::new(SessionConfig {
            greeting: Some("Hi".into()),
            ..SessionConfig::default()
        })
        .unwrap()
    }

    fn kinds(out: &[Outgoing]) -> Vec<&'static str> {
        out.iter().map(|o| o.event.kind()).collect()
    }

    fn delta(response: &str, item: &str, pcm24: &[i16]) -> String {
        let ClientEvent::Append { audio } = ClientEvent::append(pcm24) else {
            unreachable!()
        };
        json!({"type": "response.output_audio.delta", "event_id": "e", "response_id": response,
               "item_id": item, "output_index": 0, "content_index": 0, "delta": audio})
        .to_string()
    }

    fn ev(v: serde_json::Value) -> String {
        v.to_string()
    }

    fn tone24(hz: f64, ms: usize) -> Vec<i16> {
        (0..ms * 24)
            .map(|i| (8000.0 * (2.0 * std::f64::consts::PI * hz * i as f64 / 24000.0).sin()) as i16)
            .collect()
    }

    #[test]
    fn greeting_waits_for_the_session_and_media() {
        let t = Instant::now();
        let mut c = greeter();
        c.connected();
        assert_eq!(kinds(&c.drain()), ["session.update"]);
        c.media_started();
        assert!(c.drain().is_empty(), "no greeting before session.updated");
        c.on_text(
            &ev(json!({"type": "session.updated", "event_id": "e", "session": {}})),
            t,
        );
        assert_eq!(kinds(&c.drain()), ["response.create"]);
        // Once only, even if the session is updated again.
        c.on_text(
            &ev(json!({"type": "session.updated", "event_id": "e", "session": {}})),
            t,
        );
        assert!(c.drain().is_empty());

        let mut quiet = Conversation::new(SessionConfig::default()).unwrap();
        quiet.connected();
        quiet.on_server(ServerEvent::SessionUpdated, t);
        quiet.media_started();
        assert_eq!(kinds(&quiet.drain()), ["session.update"]);
    }

    #[test]
    fn caller_audio_goes_out_as_24k_appends_every_20_ms() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        c.connected();
        c.drain();
        let mut tone = Tone::new(440.0, 0.3);
        let mut sent = Vec::new();
        for i in 0..50u64 {
            let at = t + Duration::from_millis(20 * i);
            c.hear(&tone.frame(), at);
            let out = c.drain();
            assert_eq!(out.len(), 1, "one append per frame");
            assert_eq!(out[0].heard_at, Some(at));
            let ClientEvent::Append { audio } = &out[0].event else {
                panic!()
            };
            let pcm = decode_pcm(audio).unwrap();
            // The first holds back the filter's delay (about 1 ms), the rest are whole.
            if i == 0 {
                assert!(pcm.len() > APPEND - 48, "{}", pcm.len());
            } else {
                assert_eq!(pcm.len(), APPEND);
            }
            sent.extend(pcm);
        }
        // Back at 48 kHz for the analyser: the pitch survived at 24 kHz.
        let mut up = Resampler::new(24_000, 48_000, 480).unwrap();
        let mut back = Vec::new();
        up.push(&sent, &mut back);
        let hz = dominant_frequency(&back).unwrap();
        assert!((hz - 440.0).abs() < 3.0, "{hz}");
    }

    #[test]
    fn barge_in_stops_playout_cancels_and_truncates_at_what_was_heard() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        c.connected();
        c.on_server(ServerEvent::SessionUpdated, t);
        c.on_text(
            &ev(json!({"type": "response.created", "event_id": "e", "response": {"id": "resp_1"}})),
            t,
        );
        // A second of audio arrives at once, faster than real time.
        c.on_text(&delta("resp_1", "item_1", &tone24(300.0, 1000)), t);
        c.drain();
        for i in 0..15 {
            let f = c.speak(t + Duration::from_millis(20 * i));
            assert!(
                crate::core::audio::level_dbfs(&f) > -30.0,
                "frame {i} plays"
            );
        }
        c.on_text(&ev(json!({"type": "input_audio_buffer.speech_started", "event_id": "e", "item_id": "item_2", "audio_start_ms": 900})), t);
        let out = c.drain();
        assert_eq!(
            out.iter().map(|o| o.event.clone()).collect::<Vec<_>>(),
            vec![
                ClientEvent::ResponseCancel {
                    response_id: Some("resp_1".into())
                },
                ClientEvent::Truncate {
                    item_id: "item_1".into(),
                    content_index: 0,
                    audio_end_ms: 300
                },
            ]
        );
        assert!(matches!(
            c.notices().as_slice(),
            [Notice::BargeIn { audio_end_ms: 300, dropped_ms, .. }] if *dropped_ms > 600
        ));
        // Silence at once, and late deltas of the cancelled response stay silent.
        assert_eq!(c.speak(t), [0; FRAME]);
        c.on_text(&delta("resp_1", "item_1", &tone24(300.0, 200)), t);
        assert_eq!(c.speak(t), [0; FRAME]);
        assert_eq!(c.barge_ins, 1);
    }

    #[test]
    fn barge_in_after_the_response_is_done_only_truncates_and_silence_needs_nothing() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        c.connected();
        c.on_server(
            ServerEvent::ResponseCreated {
                response_id: "r".into(),
            },
            t,
        );
        c.on_text(&delta("r", "i", &tone24(300.0, 200)), t);
        c.on_text(&ev(json!({"type": "response.output_audio.done", "event_id": "e", "response_id": "r", "item_id": "i", "output_index": 0, "content_index": 0})), t);
        c.on_text(&ev(json!({"type": "response.done", "event_id": "e", "response": {"id": "r", "status": "completed"}})), t);
        c.drain();
        c.speak(t);
        c.on_server(
            ServerEvent::SpeechStarted {
                item_id: "u".into(),
                audio_start_ms: 0,
            },
            t,
        );
        assert_eq!(
            c.drain().into_iter().map(|o| o.event).collect::<Vec<_>>(),
            vec![ClientEvent::Truncate {
                item_id: "i".into(),
                content_index: 0,
                audio_end_ms: 20
            }]
        );
        // All of it heard: a new utterance changes nothing.
        c.on_server(
            ServerEvent::SpeechStarted {
                item_id: "u2".into(),
                audio_start_ms: 0,
            },
            t,
        );
        assert!(c.drain().is_empty());
        assert_eq!(c.barge_ins, 1);
    }

    #[test]
    fn a_whole_item_is_played_to_the_last_sample() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        c.connected();
        for _ in 0..10 {
            c.on_text(&delta("r", "i", &tone24(300.0, 10)), t);
        }
        c.on_server(
            ServerEvent::AudioDone {
                item_id: "i".into(),
            },
            t,
        );
        let mut total = 0;
        while !c.playout.is_empty() {
            c.speak(t);
            total += 1;
        }
        assert_eq!(total, 5);
        assert_eq!(
            c.playout.played_ms(&ItemRef {
                item_id: "i".into(),
                content_index: 0
            }),
            100
        );
    }

    #[test]
    fn reconnect_restores_session_history_and_held_audio() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        c.connected();
        c.on_text(&ev(json!({"type": "conversation.item.input_audio_transcription.completed", "event_id": "e", "item_id": "u1", "content_index": 0, "transcript": "hello", "usage": {"type": "duration", "seconds": 1.0}})), t);
        c.on_text(&ev(json!({"type": "response.output_audio_transcript.done", "event_id": "e", "response_id": "r", "item_id": "a1", "output_index": 0, "content_index": 0, "transcript": "hi there"})), t);
        c.drain();
        c.disconnected(t);
        let mut tone = Tone::new(440.0, 0.3);
        for _ in 0..5 {
            c.hear(&tone.frame(), t);
        }
        assert!(
            c.drain().is_empty(),
            "nothing is sent while the socket is down"
        );
        c.connected();
        let out = c.drain();
        assert_eq!(
            kinds(&out),
            [
                "session.update",
                "conversation.item.create",
                "conversation.item.create",
                "input_audio_buffer.append",
                "input_audio_buffer.append",
                "input_audio_buffer.append",
                "input_audio_buffer.append",
                "input_audio_buffer.append"
            ]
        );
        let ClientEvent::ItemCreate { item } = &out[2].event else {
            panic!()
        };
        assert_eq!(item["role"], "assistant");
        assert_eq!(item["content"][0]["text"], "hi there");
        assert_eq!(c.reconnects, 1);
    }

    #[test]
    fn bad_events_are_noticed_and_the_cancel_race_is_not() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        c.connected();
        c.on_text("not json", t);
        c.on_text(
            &ev(json!({"type": "response.output_audio.delta", "event_id": "e"})),
            t,
        );
        c.on_text(&ev(json!({"type": "something.new", "event_id": "e"})), t);
        c.on_text(&ev(json!({"type": "error", "event_id": "e", "error": {"type": "invalid_request_error", "code": "response_cancel_not_active", "message": "no active response"}})), t);
        c.on_text(&ev(json!({"type": "error", "event_id": "e", "error": {"type": "rate_limit_error", "message": "slow down"}})), t);
        let n = c.notices();
        assert_eq!(n.len(), 3, "{n:?}");
        assert!(matches!(&n[0], Notice::Malformed(m) if m.contains("not JSON")));
        assert!(matches!(&n[1], Notice::Malformed(m) if m.contains("response_id")));
        assert_eq!(n[2], Notice::Error("rate_limit_error: slow down".into()));
    }

    #[test]
    fn usage_adds_up_over_responses() {
        let t = Instant::now();
        let mut c = Conversation::new(SessionConfig::default()).unwrap();
        for id in ["r1", "r2"] {
            c.on_text(&ev(json!({"type": "response.done", "event_id": "e", "response": {"id": id, "status": "completed",
                "usage": {"input_token_details": {"audio_tokens": 10, "text_tokens": 1}, "output_token_details": {"audio_tokens": 20, "text_tokens": 2}}}})), t);
        }
        assert_eq!(c.responses, 2);
        assert_eq!(c.usage.audio_in, 20);
        assert_eq!(c.usage.audio_out, 40);
        assert_eq!(c.usage.total(), 66);
    }
}
