//! Tests of `conversation.rs`.

use super::*;
use crate::core::audio::{Tone, dominant_frequency_at};
use crate::core::realtime::events::decode_pcm;
use serde_json::json;
use std::time::Duration;

fn greeter() -> Conversation {
    Conversation::new(SessionConfig {
        greeting: Some("Hi".into()),
        ..SessionConfig::default()
    })
}

/// The next 20 ms of `tone` at the API's rate.
fn frame24(tone: &mut Tone) -> [i16; APPEND] {
    let mut f = [0; APPEND];
    tone.fill(&mut f, 24_000);
    f
}

fn spoken(c: &mut Conversation, now: Instant) -> [i16; APPEND] {
    let mut f = [0; APPEND];
    c.speak(now, &mut f);
    f
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

    let mut quiet = Conversation::new(SessionConfig::default());
    quiet.connected();
    quiet.on_server(ServerEvent::SessionUpdated, t);
    quiet.media_started();
    assert_eq!(kinds(&quiet.drain()), ["session.update"]);
}

#[test]
fn caller_audio_goes_out_as_24k_appends_every_20_ms() {
    let t = Instant::now();
    let mut c = Conversation::new(SessionConfig::default());
    c.connected();
    c.drain();
    let mut tone = Tone::new(440.0, 0.3);
    let (mut heard, mut sent) = (Vec::new(), Vec::new());
    for i in 0..50u64 {
        let at = t + Duration::from_millis(20 * i);
        let frame = frame24(&mut tone);
        c.hear(&frame, at);
        heard.extend(frame);
        let out = c.drain();
        assert_eq!(out.len(), 1, "one append per frame");
        assert_eq!(out[0].heard_at, Some(at));
        let ClientEvent::Append { audio } = &out[0].event else {
            panic!()
        };
        let pcm = decode_pcm(audio).unwrap();
        assert_eq!(pcm.len(), APPEND, "whole from the first: nothing held back");
        sent.extend(pcm);
    }
    // The codec delivered 24 kHz: what goes out is what came in, sample for sample.
    assert_eq!(sent, heard);
    let hz = dominant_frequency_at(&sent, 24_000).unwrap();
    assert!((hz - 440.0).abs() < 3.0, "{hz}");
}

#[test]
fn barge_in_stops_playout_cancels_and_truncates_at_what_was_heard() {
    let t = Instant::now();
    let mut c = Conversation::new(SessionConfig::default());
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
        let f = spoken(&mut c, t + Duration::from_millis(20 * i));
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
    assert_eq!(spoken(&mut c, t), [0; APPEND]);
    c.on_text(&delta("resp_1", "item_1", &tone24(300.0, 200)), t);
    assert_eq!(spoken(&mut c, t), [0; APPEND]);
    assert_eq!(c.barge_ins, 1);
}

#[test]
fn barge_in_after_the_response_is_done_only_truncates_and_silence_needs_nothing() {
    let t = Instant::now();
    let mut c = Conversation::new(SessionConfig::default());
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
    spoken(&mut c, t);
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
    let mut c = Conversation::new(SessionConfig::default());
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
        spoken(&mut c, t);
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
    let mut c = Conversation::new(SessionConfig::default());
    c.connected();
    c.on_text(&ev(json!({"type": "conversation.item.input_audio_transcription.completed", "event_id": "e", "item_id": "u1", "content_index": 0, "transcript": "hello", "usage": {"type": "duration", "seconds": 1.0}})), t);
    c.on_text(&ev(json!({"type": "response.output_audio_transcript.done", "event_id": "e", "response_id": "r", "item_id": "a1", "output_index": 0, "content_index": 0, "transcript": "hi there"})), t);
    c.drain();
    c.disconnected();
    let mut tone = Tone::new(440.0, 0.3);
    for _ in 0..5 {
        c.hear(&frame24(&mut tone), t);
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
    let mut c = Conversation::new(SessionConfig::default());
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
    let mut c = Conversation::new(SessionConfig::default());
    for id in ["r1", "r2"] {
        c.on_text(&ev(json!({"type": "response.done", "event_id": "e", "response": {"id": id, "status": "completed",
                "usage": {"input_token_details": {"audio_tokens": 10, "text_tokens": 1}, "output_token_details": {"audio_tokens": 20, "text_tokens": 2}}}})), t);
    }
    assert_eq!(c.responses, 2);
    assert_eq!(c.usage.audio_in, 20);
    assert_eq!(c.usage.audio_out, 40);
    assert_eq!(c.usage.total(), 66);
}

#[test]
fn the_answer_is_timed_from_the_end_of_the_callers_turn() {
    let mut c = Conversation::new(SessionConfig::default());
    let t0 = Instant::now();
    let at = |ms| t0 + Duration::from_millis(ms);
    c.on_text(
        &ev(json!({"type": "input_audio_buffer.speech_stopped", "event_id": "e", "audio_end_ms": 1000, "item_id": "u1"})),
        at(1000),
    );
    c.on_text(&delta("r1", "a1", &tone24(440.0, 20)), at(1420));
    c.on_text(&delta("r1", "a1", &tone24(440.0, 20)), at(1440));
    assert_eq!(c.turn_latency.ms(), vec![420.0]);
}
