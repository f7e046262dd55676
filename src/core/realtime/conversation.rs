//! One call's conversation with the Realtime API, as a state machine: the
//! caller's audio in, server events in, the AI's audio out (20 ms at a
//! time) and client events out, all at the API's 24 kHz: the call's Opus
//! codec runs at that rate, so nothing here resamples. No socket and no
//! clock: the transport feeds it and the tests drive it on a fake clock.
//!
//! The rules it keeps: the greeting waits until the session is configured
//! and media is up; on `speech_started` playout stops at once, an active
//! response is cancelled, and every item that lost audio is truncated at
//! what the caller actually heard; a reconnect restores the session, the
//! conversation so far (as text) and the caller's audio from the gap.

use super::events::{ClientEvent, Role, ServerEvent, Usage};
use super::playout::{Cut, ItemRef, Playout};
use super::session::SessionConfig;
use std::collections::{HashSet, VecDeque};
use std::time::Instant;

/// 24 kHz samples per 20 ms append.
const APPEND: usize = crate::core::audio::frame_len(super::RATE);
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
    pub usage: Usage,
    pub responses: u64,
    pub barge_ins: u64,
    pub turn_latency: super::TurnLatency,
    /// Caller audio dropped because the socket stayed down too long, in ms.
    pub lost_caller_ms: u64,
    pub reconnects: u64,
}

impl Conversation {
    pub fn new(cfg: SessionConfig) -> Conversation {
        Conversation {
            cfg,
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
            usage: Usage::default(),
            responses: 0,
            barge_ins: 0,
            turn_latency: super::TurnLatency::default(),
            lost_caller_ms: 0,
            reconnects: 0,
        }
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
    pub fn disconnected(&mut self) {
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
        self.receiving = None;
    }

    /// What the caller said: 24 kHz, in order. Sent on at once (one append
    /// per RTP packet), so no audio waits in the bridge for a fuller chunk.
    pub fn hear(&mut self, samples: &[i16], at: Instant) {
        if samples.is_empty() {
            return;
        }
        if self.connected {
            self.outbox.push_back(Outgoing {
                event: ClientEvent::append(samples),
                heard_at: Some(at),
            });
        } else {
            self.held.extend(samples.iter().copied());
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

    /// The next 20 ms for the caller into `out` (480 samples), silence
    /// where nothing is queued.
    pub fn speak(&mut self, now: Instant, out: &mut [i16]) {
        self.playout.pop_frame(now, out)
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
            ServerEvent::SpeechStarted { .. } => {
                self.turn_latency.caller_spoke();
                self.barge_in();
            }
            ServerEvent::SpeechStopped { .. } => self.turn_latency.turn_ended(now),
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
                self.turn_latency.ai_audio(now);
                let item = ItemRef {
                    item_id,
                    content_index,
                };
                if self.receiving.as_ref() != Some(&item) {
                    self.receiving = Some(item.clone());
                }
                self.playout.push(&item, &pcm, now);
            }
            ServerEvent::AudioDone { item_id } => {
                if self
                    .receiving
                    .as_ref()
                    .is_some_and(|i| i.item_id == item_id)
                {
                    self.receiving = None;
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
        if let Some(item) = self.receiving.take()
            && !cuts.iter().any(|c| c.item == item)
        {
            cuts.push(Cut {
                audio_end_ms: self.playout.played_ms(&item),
                item,
                dropped_ms: 0,
            });
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
#[path = "conversation_tests.rs"]
mod tests;
