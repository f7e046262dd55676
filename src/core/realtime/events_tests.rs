//! Tests of `events.rs`.

use super::*;

#[test]
fn client_events_have_ga_names() {
    let e = ClientEvent::append(&[1, -2]);
    assert_eq!(
        e.to_json(),
        r#"{"type":"input_audio_buffer.append","audio":"AQD+/w=="}"#
    );
    let t = ClientEvent::Truncate {
        item_id: "item_1".into(),
        content_index: 0,
        audio_end_ms: 340,
    };
    let v: Value = serde_json::from_str(&t.to_json()).unwrap();
    assert_eq!(v["type"], "conversation.item.truncate");
    assert_eq!(v["audio_end_ms"], 340);
    let c = ClientEvent::ResponseCancel { response_id: None }.to_json();
    assert_eq!(c, r#"{"type":"response.cancel"}"#);
}

#[test]
fn audio_round_trips_through_base64() {
    let samples = vec![0, 1, -1, i16::MAX, i16::MIN, 1234];
    let ClientEvent::Append { audio } = ClientEvent::append(&samples) else {
        unreachable!()
    };
    assert_eq!(decode_pcm(&audio).unwrap(), samples);
    assert!(decode_pcm("AQ==").unwrap_err().0.contains("1 bytes"));
    assert!(decode_pcm("%%%").is_err());
}

#[test]
fn server_events_parse_and_tolerate() {
    let d = ServerEvent::parse(
            r#"{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AQD+/w=="}"#,
        )
        .unwrap();
    assert_eq!(
        d,
        ServerEvent::AudioDelta {
            response_id: "r".into(),
            item_id: "i".into(),
            content_index: 0,
            pcm: vec![1, -2]
        }
    );
    let done = ServerEvent::parse(
            r#"{"type":"response.done","event_id":"e","response":{"id":"r","status":"cancelled","usage":{"total_tokens":30,"input_tokens":10,"output_tokens":20,"input_token_details":{"audio_tokens":8,"text_tokens":2,"cached_tokens":0},"output_token_details":{"audio_tokens":15,"text_tokens":5}}}}"#,
        )
        .unwrap();
    let ServerEvent::ResponseDone { status, usage, .. } = done else {
        panic!("{done:?}")
    };
    assert_eq!(status, "cancelled");
    assert_eq!(
        (
            usage.audio_in,
            usage.text_in,
            usage.audio_out,
            usage.text_out
        ),
        (8, 2, 15, 5)
    );
    assert_eq!(
        ServerEvent::parse(r#"{"type":"rate_limits.updated","rate_limits":[]}"#).unwrap(),
        ServerEvent::Other {
            kind: "rate_limits.updated".into()
        }
    );
    let e = ServerEvent::parse(r#"{"type":"input_audio_buffer.speech_started"}"#).unwrap_err();
    assert!(e.0.contains("item_id"), "{e}");
    assert!(
        ServerEvent::parse("<html>")
            .unwrap_err()
            .0
            .contains("not JSON")
    );
    assert!(
        ServerEvent::parse(r#"{"event":"x"}"#)
            .unwrap_err()
            .0
            .contains("no `type`")
    );
}
