//! Tests of `standin.rs`.

use super::*;
use crate::core::audio::{Tone, dominant_frequency_at};
use crate::core::realtime::{ClientEvent, Conversation, Notice, Role, SessionConfig};
use std::time::{Duration, Instant};

/// 20 ms at the API's 24 kHz: what the conversation hears and speaks.
const FRAME: usize = 480;

fn types(out: &[String]) -> Vec<String> {
    out.iter()
        .map(|t| {
            serde_json::from_str::<Value>(t).map_or("<garbage>".into(), |v| {
                v["type"].as_str().unwrap_or("?").to_string()
            })
        })
        .collect()
}

/// Conversation and stand-in wired together on a fake clock.
struct Call {
    conv: Conversation,
    ai: StandIn,
    t0: Instant,
    ms: u64,
    heard: Vec<i16>,
}

impl Call {
    fn new(cfg: StandInConfig) -> Call {
        let mut conv = Conversation::new(SessionConfig::default());
        let mut ai = StandIn::new(cfg, "gpt-realtime");
        let t0 = Instant::now();
        for e in ai.hello() {
            conv.on_text(&e, t0);
        }
        conv.connected();
        conv.media_started();
        let mut c = Call {
            conv,
            ai,
            t0,
            ms: 0,
            heard: Vec::new(),
        };
        c.pump();
        c
    }
    fn now(&self) -> Instant {
        self.t0 + Duration::from_millis(self.ms)
    }
    fn pump(&mut self) {
        for o in self.conv.drain() {
            let now = self.now();
            for e in self.ai.on_client(&o.event.to_json(), self.ms) {
                self.conv.on_text(&e, now);
            }
        }
    }
    /// 20 ms of the caller saying `frame`, and 20 ms of the AI's audio back.
    fn tick(&mut self, frame: [i16; FRAME]) {
        let now = self.now();
        self.conv.hear(&frame, now);
        self.pump();
        for e in self.ai.poll(self.ms) {
            self.conv.on_text(&e, now);
        }
        self.pump();
        let mut f = [0; FRAME];
        self.conv.speak(now, &mut f);
        self.heard.extend_from_slice(&f);
        self.ms += 20;
    }
    fn say(&mut self, hz: f64, ms: u64) {
        let mut t = Tone::new(hz, 0.3);
        for _ in 0..ms / 20 {
            let mut f = [0; FRAME];
            t.fill(&mut f, 24_000);
            self.tick(f);
        }
    }
    fn quiet(&mut self, ms: u64) {
        for _ in 0..ms / 20 {
            self.tick([0; FRAME]);
        }
    }
}

#[test]
fn the_caller_is_echoed_after_the_turn_ends() {
    let mut c = Call::new(StandInConfig::default());
    c.say(440.0, 1000);
    c.quiet(400);
    assert!(
        c.heard.iter().all(|&s| s == 0),
        "nothing before the turn ends"
    );
    c.quiet(2000);
    let hz = dominant_frequency_at(&c.heard, 24_000).unwrap();
    assert!((hz - 440.0).abs() < 3.0, "{hz}");
    let loud = c
        .heard
        .chunks(FRAME)
        .filter(|f| level_dbfs(f) > -30.0)
        .count();
    assert!(
        (48..=52).contains(&loud),
        "about 1 s of echo, got {loud} frames"
    );
    let said: Vec<(Role, String)> = c.conv.history().to_vec();
    assert_eq!(
        said[0],
        (Role::Caller, "[1.0 s of sound at 440 Hz]".to_string()),
        "{said:?}"
    );
    assert!(said[1].1.starts_with("You said:"));
    assert_eq!(c.conv.responses, 1);
    assert!(c.conv.usage.audio_out > 0);
}

#[test]
fn barge_in_truncates_at_exactly_what_the_caller_heard() {
    let mut c = Call::new(StandInConfig::default());
    c.say(440.0, 1000);
    c.quiet(500);
    let before = c.heard.len();
    c.quiet(400);
    let heard_ms = c.heard[before..]
        .chunks(FRAME)
        .filter(|f| level_dbfs(f) > -30.0)
        .count() as u64
        * 20;
    assert!(heard_ms >= 200, "the echo is playing: {heard_ms} ms");
    c.say(880.0, 200);
    let (_, end) = c.ai.log.truncations.last().cloned().expect("a truncate");
    // The playout stopped on the frame after speech_started; what it sent is what was heard.
    let played_tone = c.heard[before..]
        .chunks(FRAME)
        .filter(|f| level_dbfs(f) > -30.0)
        .count() as u64
        * 20;
    assert!(
        end.abs_diff(played_tone) <= 20,
        "audio_end_ms {end} vs {played_tone} ms played"
    );
    assert!(
        c.conv
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::BargeIn { .. }))
    );
    assert_eq!(c.conv.barge_ins, 1);
    // The cancelled response streams no more.
    let after = c.heard.len();
    c.quiet(100);
    assert!(c.heard[after..].iter().all(|&s| s == 0));
}

#[test]
fn the_ga_session_is_accepted_and_the_beta_shape_refused() {
    let mut ai = StandIn::new(StandInConfig::default(), "gpt-realtime");
    let ok = ai.on_client(&SessionConfig::default().update().to_json(), 0);
    assert_eq!(types(&ok), ["session.updated"]);
    let v: Value = serde_json::from_str(&ok[0]).unwrap();
    assert_eq!(
        v["session"]["audio"]["input"]["transcription"]["model"],
        "gpt-4o-mini-transcribe"
    );
    let beta = r#"{"type":"session.update","session":{"modalities":["audio"],"input_audio_format":"pcm16"}}"#;
    let e: Value = serde_json::from_str(&ai.on_client(beta, 0)[0]).unwrap();
    assert_eq!(e["type"], "error");
    assert_eq!(e["error"]["code"], "unknown_parameter");
}

#[test]
fn bad_client_events_get_error_events() {
    let mut ai = StandIn::new(StandInConfig::default(), "gpt-realtime");
    let code = |ai: &mut StandIn, text: &str| -> String {
        let v: Value = serde_json::from_str(&ai.on_client(text, 0)[0]).unwrap();
        assert_eq!(v["type"], "error", "{v}");
        v["error"]["code"].as_str().unwrap().to_string()
    };
    assert_eq!(code(&mut ai, "{oops"), "invalid_json");
    assert_eq!(
        code(&mut ai, r#"{"audio":"AAAA"}"#),
        "missing_required_parameter"
    );
    assert_eq!(
        code(&mut ai, r#"{"type":"response.audio.delta"}"#),
        "invalid_value"
    );
    assert_eq!(
        code(
            &mut ai,
            r#"{"type":"input_audio_buffer.append","audio":"%%%"}"#
        ),
        "invalid_value"
    );
    assert_eq!(
        code(&mut ai, r#"{"type":"response.cancel"}"#),
        "response_cancel_not_active"
    );
    let t = ClientEvent::Truncate {
        item_id: "nope".into(),
        content_index: 0,
        audio_end_ms: 10,
    };
    assert_eq!(code(&mut ai, &t.to_json()), "item_not_found");
    assert_eq!(ai.log.errors_sent.len(), 6);
}

#[test]
fn a_truncate_past_the_end_is_refused() {
    let mut ai = StandIn::new(
        StandInConfig {
            pace: 1000.0,
            ..StandInConfig::default()
        },
        "gpt-realtime",
    );
    let out = ai.on_client(
        r#"{"type":"response.create","response":{"instructions":"Hello there"}}"#,
        0,
    );
    let item = out
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .find(|v| v["type"] == "response.output_item.added")
        .unwrap()["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = |ms| {
        ClientEvent::Truncate {
            item_id: item.clone(),
            content_index: 0,
            audio_end_ms: ms,
        }
        .to_json()
    };
    assert_eq!(
        types(&ai.on_client(&t(100), 0)),
        ["conversation.item.truncated"]
    );
    assert_eq!(types(&ai.on_client(&t(60_000), 0)), ["error"]);
    assert_eq!(ai.log.truncations, vec![(item, 100)]);
}

#[test]
fn garbage_before_a_response_does_not_stop_the_echo() {
    let mut c = Call::new(StandInConfig {
        garbage: true,
        ..StandInConfig::default()
    });
    c.say(440.0, 600);
    c.quiet(2000);
    let hz = dominant_frequency_at(&c.heard, 24_000).unwrap();
    assert!((hz - 440.0).abs() < 3.0, "{hz}");
    let bad = c
        .conv
        .notices()
        .into_iter()
        .filter(|n| matches!(n, Notice::Malformed(_)))
        .count();
    assert_eq!(
        bad, 2,
        "non-JSON and a delta without fields; the unknown type is ignored"
    );
}

#[test]
fn the_next_delta_is_due_at_the_pace_and_nothing_is_due_between_responses() {
    let mut ai = StandIn::new(StandInConfig::default(), "gpt-realtime");
    let _ = ai.hello();
    assert_eq!(ai.next_due(), None, "nothing to stream before a response");
    // 440 ms of audio in 100 ms deltas at 4x: one now, then one every 25 ms.
    let out = ai.on_client(
        r#"{"type":"response.create","response":{"instructions":"Hello there"}}"#,
        0,
    );
    let deltas = |out: &[String]| {
        types(out)
            .iter()
            .filter(|t| *t == "response.output_audio.delta")
            .count()
    };
    assert_eq!(deltas(&out), 1);
    assert_eq!(ai.next_due(), Some(25));
    assert_eq!(deltas(&ai.poll(24)), 0, "not yet due");
    assert_eq!(ai.next_due(), Some(25));
    assert_eq!(deltas(&ai.poll(25)), 1);
    assert_eq!(ai.next_due(), Some(50));
    let out = ai.poll(100);
    assert_eq!(deltas(&out), 3);
    assert!(types(&out).contains(&"response.done".to_string()));
    assert_eq!(ai.next_due(), None, "the response is over");
}

#[test]
fn a_long_utterance_is_named_by_its_pitch_from_its_middle() {
    let mut c = Call::new(StandInConfig::default());
    c.quiet(200);
    c.say(523.0, 2500);
    c.quiet(1500);
    let said: Vec<(Role, String)> = c.conv.history().to_vec();
    assert_eq!(
        said[0],
        (Role::Caller, "[2.5 s of sound at 523 Hz]".to_string()),
        "{said:?}"
    );
}
