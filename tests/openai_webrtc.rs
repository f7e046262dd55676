//! `--openai-transport webrtc` end to end, in one process on loopback: the
//! simulated WhatsApp caller, the real bridge, and the OpenAI stand-in's
//! `POST /v1/realtime/calls` with its own WebRTC peer and `oai-events`
//! data channel. Opus is forwarded both ways without decoding.

mod far_call;

use far_call::{frames_at, script};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wacall::core::audio::{Decoder, level_dbfs};
use wacall::core::bridge::{BridgeReport, Ending};
use wacall::core::realtime::{Prices, SessionConfig};
use wacall::io::bridge::FarEndSetup;
use wacall::io::farend::{FarEnd, Note, OpusPacket};
use wacall::io::media::Source;
use wacall::io::openai::standin_server::{StandInServer, StandInServerConfig};
use wacall::io::openai::webrtc::OpenAiRtc;
use wacall::io::openai::{OpenAiConfig, Transport};

fn config(url: String, key: &str) -> OpenAiConfig {
    OpenAiConfig {
        url,
        key: key.into(),
        session: SessionConfig::default(),
        prices: Prices::for_model("gpt-realtime"),
        connect_timeout: Duration::from_secs(5),
        reconnect_for: Duration::from_secs(5),
        transport: Transport::WebRtc,
    }
}

/// What the media loop did with the far end: decoded calls (there must be
/// none) and the level of each Opus frame it sent the caller, with when.
#[derive(Default)]
struct Seen {
    decoded_calls: u64,
    opus_in: u64,
    out: Vec<(Instant, f64)>,
}

struct Watched {
    inner: OpenAiRtc,
    seen: Arc<Mutex<Seen>>,
    dec: Decoder,
}

impl FarEnd for Watched {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn hear(&mut self, samples: &[i16], at: Instant) {
        self.seen.lock().unwrap().decoded_calls += 1;
        self.inner.hear(samples, at)
    }
    fn speak(&mut self, out: &mut [i16]) {
        self.seen.lock().unwrap().decoded_calls += 1;
        self.inner.speak(out)
    }
    fn passthrough(&self) -> bool {
        self.inner.passthrough()
    }
    fn hear_opus(&mut self, packet: OpusPacket) {
        self.seen.lock().unwrap().opus_in += 1;
        self.inner.hear_opus(packet)
    }
    fn speak_opus(&mut self) -> Option<bytes::Bytes> {
        let p = self.inner.speak_opus();
        // The test decodes to measure; the bridge does not.
        let mut pcm = Vec::new();
        let db = match &p {
            Some(p) if self.dec.decode(p, &mut pcm).is_ok() => level_dbfs(&pcm),
            _ => -100.0,
        };
        self.seen.lock().unwrap().out.push((Instant::now(), db));
        p
    }
    fn start(&mut self) {
        self.inner.start()
    }
    fn notes(&mut self) -> Vec<Note> {
        self.inner.notes()
    }
    fn failure(&mut self) -> Option<String> {
        self.inner.failure()
    }
    fn summary(&self) -> Option<serde_json::Value> {
        self.inner.summary()
    }
}

struct Outcome {
    report: BridgeReport,
    heard: Vec<i16>,
    notes: Vec<Note>,
    seen: Arc<Mutex<Seen>>,
}

async fn call(caller: Source, cfg: OpenAiConfig, seconds: u64) -> Outcome {
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let s = seen.clone();
    let far = FarEndSetup {
        name: "openai".into(),
        ready: Box::pin(async move {
            let inner = OpenAiRtc::connect(cfg).await?;
            Ok(Box::new(Watched {
                inner,
                seen: s,
                dec: Decoder::new()?,
            }) as Box<dyn FarEnd>)
        }),
    };
    let c = far_call::call(caller, far, seconds).await;
    Outcome {
        report: c.report,
        heard: c.heard,
        notes: c.notes,
        seen,
    }
}

async fn standin(cfg: StandInServerConfig) -> StandInServer {
    StandInServer::start("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_caller_is_answered_over_webrtc_with_opus_forwarded_undecoded() {
    let ai = standin(StandInServerConfig::default()).await;
    let out = call(script(&[(440.0, 1000, 0)]), config(ai.url(), "sk-test"), 4).await;
    assert!(out.report.ok, "{}", out.report.reason);
    let echoed = frames_at(&out.heard, 440.0);
    assert!(
        (40..=55).contains(&echoed),
        "about 1 s of 440 Hz came back: {echoed} frames"
    );
    assert_eq!(frames_at(&out.heard, 660.0), 0);
    let seen = out.seen.lock().unwrap();
    assert_eq!(seen.decoded_calls, 0, "no PCM crossed the far end");
    assert!(
        seen.opus_in > 150,
        "{} caller packets forwarded",
        seen.opus_in
    );
    let said: Vec<String> = out
        .notes
        .iter()
        .filter(|n| n.kind == "caller" || n.kind == "ai")
        .map(|n| format!("{}: {}", n.kind, n.text))
        .collect();
    assert_eq!(
        said,
        [
            "caller: [1.0 s of sound at 440 Hz]",
            "ai: You said: [1.0 s of sound at 440 Hz]"
        ],
        "{:?}",
        out.notes
    );
    let f = out.report.far_end_summary.expect("a far-end summary");
    assert_eq!(f["transport"], "webrtc");
    assert_eq!(f["responses"], 1);
    assert!(f["usage"]["audio_out"].as_u64().unwrap() > 0);
    assert!(f["cost_usd"].as_f64().unwrap() > 0.0);
    assert!(f["openai_call_id"].as_str().unwrap().starts_with("rtc_"));
    // The stand-in heard the caller in real time over its own track.
    let logs = ai.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].log.session_updates[0]["type"], "realtime");
    assert!(
        logs[0].log.appended_ms > 3000,
        "{} ms reached OpenAI",
        logs[0].log.appended_ms
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn barge_in_over_webrtc_stops_the_ai_within_100_ms() {
    let ai = standin(StandInServerConfig::default()).await;
    let caller = script(&[(440.0, 1000, 800), (880.0, 600, 0)]);
    let out = call(caller, config(ai.url(), "sk-test"), 5).await;
    assert!(out.report.ok, "{}", out.report.reason);
    let logs = ai.logs();
    let conn = &logs[0];
    assert_eq!(conn.log.speech_started_at.len(), 2, "two utterances");
    let barge = conn.opened + Duration::from_millis(conn.log.speech_started_at[1]);
    let sent = out.seen.lock().unwrap().out.clone();
    assert!(
        sent.iter()
            .any(|(t, db)| *t < barge && *t + Duration::from_millis(60) > barge && *db > -30.0),
        "the echo was playing when the caller spoke"
    );
    let last_loud = sent
        .iter()
        .filter(|(t, db)| *t > barge && *t < barge + Duration::from_millis(500) && *db > -50.0)
        .map(|(t, _)| t.saturating_duration_since(barge))
        .max()
        .unwrap_or_default();
    eprintln!("webrtc barge-in: AI audio to the caller went on for {last_loud:?}");
    assert!(
        last_loud <= Duration::from_millis(100),
        "playout went on for {last_loud:?}"
    );
    assert!(
        out.notes.iter().any(|n| n.kind == "barge-in"),
        "{:?}",
        out.notes
    );
    assert_eq!(out.report.far_end_summary.unwrap()["barge_ins"], 1);
    assert!(
        frames_at(&out.heard, 880.0) > 20,
        "the second turn answered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_key_over_webrtc_fails_before_the_call_is_accepted() {
    let ai = standin(StandInServerConfig {
        key: Some("sk-right".into()),
        ..StandInServerConfig::default()
    })
    .await;
    let out = call(script(&[]), config(ai.url(), "sk-wrong"), 3).await;
    assert!(!out.report.ok);
    let Ending::FarEnd(why) = &out.report.ending else {
        panic!("{:?}", out.report.ending)
    };
    assert!(
        why.contains("HTTP 401") && why.contains("OPENAI_API_KEY"),
        "{why}"
    );
    assert!(!why.contains("sk-wrong"), "the key is never shown");
    assert_eq!(out.report.timeline.first_rtp_out, None, "nothing was sent");
    let mut cfg = config(ai.url(), "sk-right");
    cfg.session.model = "gpt-nonexistent".into();
    let out = call(script(&[]), cfg, 3).await;
    let Ending::FarEnd(why) = &out.report.ending else {
        panic!("{:?}", out.report.ending)
    };
    assert!(why.contains("gpt-nonexistent"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_session_and_every_event_validate_against_openais_published_types() {
    let ai = standin(StandInServerConfig {
        capture: true,
        ..StandInServerConfig::default()
    })
    .await;
    let mut cfg = config(ai.url(), "sk-test");
    cfg.session.greeting = Some("Hello, this is wacall.".into());
    let out = call(script(&[(440.0, 0, 1500), (440.0, 800, 0)]), cfg, 5).await;
    assert!(out.report.ok, "{}", out.report.reason);
    let (sent, report) = far_call::conformance(ai.logs());
    assert_eq!(
        sent.into_iter().collect::<Vec<_>>(),
        ["client response.create", "session realtime"],
        "the greeting is the only client event; the session went with the call"
    );
    for kind in [
        "session realtime",
        "server output_audio_buffer.started",
        "server response.output_audio_transcript.delta",
        "server response.done",
    ] {
        assert!(report.contains(kind), "{kind}: {report}");
    }
}
