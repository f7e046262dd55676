//! The OpenAI far end end to end, in one process on loopback: the
//! simulated WhatsApp caller, the real bridge (WebRTC, Opus, the media
//! loop) and the OpenAI stand-in on a real WebSocket.

mod far_call;

use far_call::{frames_at, script};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wacall::core::audio::level_dbfs;
use wacall::core::bridge::{BridgeReport, Ending};
use wacall::core::realtime::standin::StandInConfig;
use wacall::core::realtime::{Prices, SessionConfig};
use wacall::io::bridge::FarEndSetup;
use wacall::io::farend::{FarEnd, Note};
use wacall::io::media::Source;
use wacall::io::openai::standin_server::{StandInServer, StandInServerConfig};
use wacall::io::openai::{OpenAi, OpenAiConfig};

fn openai_config(url: String, key: &str) -> OpenAiConfig {
    OpenAiConfig {
        url,
        key: key.into(),
        session: SessionConfig::default(),
        prices: Prices::for_model("gpt-realtime"),
        connect_timeout: Duration::from_secs(5),
        reconnect_for: Duration::from_secs(5),
        transport: Default::default(),
    }
}

/// Every frame the far end gave the caller, with when.
type Spoken = Arc<Mutex<Vec<(Instant, f64)>>>;

struct Timed {
    inner: OpenAi,
    spoken: Spoken,
}

impl FarEnd for Timed {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn rate(&self) -> u32 {
        self.inner.rate()
    }
    fn hear(&mut self, samples: &[i16], at: Instant) {
        self.inner.hear(samples, at)
    }
    fn speak(&mut self, out: &mut [i16]) {
        self.inner.speak(out);
        self.spoken
            .lock()
            .unwrap()
            .push((Instant::now(), level_dbfs(out)));
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
    spoken: Spoken,
}

/// One manual-mode call of `seconds` from `caller` to the OpenAI far end.
async fn call(caller: Source, cfg: OpenAiConfig, seconds: u64) -> Outcome {
    let spoken: Spoken = Arc::default();
    let sp = spoken.clone();
    let far = FarEndSetup {
        name: "openai".into(),
        ready: Box::pin(async move {
            let inner = OpenAi::connect(cfg).await?;
            Ok(Box::new(Timed { inner, spoken: sp }) as Box<dyn FarEnd>)
        }),
    };
    let c = far_call::call(caller, far, seconds).await;
    Outcome {
        report: c.report,
        heard: c.heard,
        notes: c.notes,
        spoken,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_caller_is_answered_by_the_model_at_the_right_frequency() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig::default(),
    )
    .await
    .unwrap();
    let out = call(
        script(&[(440.0, 1000, 0)]),
        openai_config(ai.url(), "sk-test"),
        4,
    )
    .await;
    assert!(out.report.ok, "{}", out.report.reason);
    let echoed = frames_at(&out.heard, 440.0);
    assert_eq!(
        frames_at(&out.heard, 660.0),
        0,
        "the classifier tells tones apart"
    );
    assert!(
        (40..=55).contains(&echoed),
        "about 1 s of 440 Hz came back: {echoed} frames"
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
    assert_eq!(f["responses"], 1);
    assert!(f["usage"]["audio_out"].as_u64().unwrap() > 0);
    assert!(f["cost_usd"].as_f64().unwrap() > 0.0);
    // The stand-in got GA session settings and the caller's audio in real time.
    let logs = ai.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].log.session_updates[0]["type"], "realtime");
    assert!(
        logs[0].log.appended_ms > 3000,
        "{} ms appended",
        logs[0].log.appended_ms
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn barge_in_stops_playout_within_100_ms_and_truncates_at_what_was_heard() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig::default(),
    )
    .await
    .unwrap();
    // 1 s of 440 Hz; the turn ends 500 ms into the quiet; the echo plays
    // for about 300 ms before the caller speaks again at 880 Hz.
    let caller = script(&[(440.0, 1000, 800), (880.0, 600, 0)]);
    let out = call(caller, openai_config(ai.url(), "sk-test"), 5).await;
    assert!(out.report.ok, "{}", out.report.reason);
    let logs = ai.logs();
    let conn = &logs[0];
    let (_, audio_end_ms) = conn.log.truncations.first().cloned().expect("a truncate");
    assert_eq!(conn.log.speech_started_at.len(), 2, "two utterances");
    let barge = conn.opened + Duration::from_millis(conn.log.speech_started_at[1]);
    let spoken = out.spoken.lock().unwrap().clone();
    // Loud just before the caller spoke (the echo was playing) ...
    assert!(
        spoken
            .iter()
            .any(|(t, db)| *t < barge && *t + Duration::from_millis(60) > barge && *db > -30.0),
        "the echo was playing when the caller spoke"
    );
    // ... and quiet from 100 ms after, until the next answer.
    let last_loud = spoken
        .iter()
        .filter(|(t, db)| *t > barge && *t < barge + Duration::from_millis(500) && *db > -50.0)
        .map(|(t, _)| t.saturating_duration_since(barge))
        .max()
        .unwrap_or_default();
    assert!(
        last_loud <= Duration::from_millis(100),
        "playout went on for {last_loud:?}"
    );
    // The model is told what the caller heard: the 440 Hz that reached WhatsApp.
    let heard_ms = frames_at(&out.heard, 440.0) as u64 * 20;
    eprintln!(
        "barge-in: audio_end_ms {audio_end_ms}, heard {heard_ms} ms, playout after speech_started {last_loud:?}"
    );
    assert!(
        audio_end_ms.abs_diff(heard_ms) <= 60,
        "audio_end_ms {audio_end_ms} vs {heard_ms} ms of echo heard"
    );
    assert!(out.notes.iter().any(|n| n.kind == "barge-in"));
    // The second utterance was answered too.
    assert!(frames_at(&out.heard, 880.0) > 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_and_unknown_server_events_do_not_break_the_call() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig {
            standin: StandInConfig {
                garbage: true,
                ..StandInConfig::default()
            },
            ..StandInServerConfig::default()
        },
    )
    .await
    .unwrap();
    let out = call(
        script(&[(440.0, 800, 0)]),
        openai_config(ai.url(), "sk-test"),
        4,
    )
    .await;
    assert!(out.report.ok, "{}", out.report.reason);
    assert!(frames_at(&out.heard, 440.0) > 30);
    let ignored = out
        .notes
        .iter()
        .filter(|n| n.text.starts_with("ignored a server event"))
        .count();
    assert_eq!(ignored, 2, "{:?}", out.notes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropped_websocket_is_reconnected_and_the_session_restored() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig {
            drop_first_after: Some(Duration::from_millis(2500)),
            ..StandInServerConfig::default()
        },
    )
    .await
    .unwrap();
    // The first turn is answered before the drop, the second after it.
    let caller = script(&[(440.0, 600, 2400), (660.0, 600, 0)]);
    let out = call(caller, openai_config(ai.url(), "sk-test"), 6).await;
    assert!(out.report.ok, "{}", out.report.reason);
    let logs = ai.logs();
    assert_eq!(logs.len(), 2, "one reconnect");
    let second = &logs[1].log;
    assert_eq!(
        second.session_updates.len(),
        1,
        "the session was configured again"
    );
    assert_eq!(
        second.items_created.len(),
        2,
        "the first turn was restored as text"
    );
    assert!(
        frames_at(&out.heard, 660.0) > 20,
        "the turn after the drop was answered"
    );
    assert!(out.notes.iter().any(|n| n.text.starts_with("reconnected")));
    assert_eq!(out.report.far_end_summary.unwrap()["reconnects"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_key_fails_before_the_call_is_accepted() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig {
            key: Some("sk-right".into()),
            ..StandInServerConfig::default()
        },
    )
    .await
    .unwrap();
    let out = call(script(&[]), openai_config(ai.url(), "sk-wrong"), 3).await;
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
    assert_eq!(*ai.refused.lock().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_model_fails_with_the_servers_reason() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig::default(),
    )
    .await
    .unwrap();
    let mut cfg = openai_config(ai.url(), "sk-test");
    cfg.session.model = "gpt-nonexistent".into();
    let out = call(script(&[]), cfg, 3).await;
    let Ending::FarEnd(why) = &out.report.ending else {
        panic!("{:?}", out.report.ending)
    };
    assert!(why.contains("model_not_found"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_event_both_ways_validates_against_openais_published_types() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig {
            capture: true,
            drop_first_after: Some(Duration::from_millis(3000)),
            ..StandInServerConfig::default()
        },
    )
    .await
    .unwrap();
    // A greeting the caller talks over (cancel, truncate), a turn, a
    // dropped socket (the transcript restored as items), another turn.
    let mut cfg = openai_config(ai.url(), "sk-test");
    cfg.session.greeting = Some("Hello, this is wacall.".into());
    let caller = script(&[(440.0, 0, 500), (440.0, 1000, 2500), (660.0, 600, 0)]);
    let out = call(caller, cfg, 6).await;
    assert!(out.report.ok, "{}", out.report.reason);
    let (sent, report) = far_call::conformance(ai.logs());
    assert_eq!(
        sent.into_iter().collect::<Vec<_>>(),
        [
            "client conversation.item.create",
            "client conversation.item.truncate",
            "client input_audio_buffer.append",
            "client response.cancel",
            "client response.create",
            "client session.update"
        ],
        "the call exercised every client event the bridge sends"
    );
    assert!(
        report.contains("server response.output_audio.delta"),
        "{report}"
    );
    assert!(
        report.contains("server conversation.item.truncated"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_socket_that_cannot_come_back_ends_the_call_with_the_reason() {
    let ai = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig {
            drop_first_after: Some(Duration::from_millis(1500)),
            ..StandInServerConfig::default()
        },
    )
    .await
    .unwrap();
    let mut cfg = openai_config(ai.url(), "sk-test");
    cfg.reconnect_for = Duration::from_secs(1);
    // The server stops listening once the call is up: redials are refused.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        drop(ai);
    });
    let started = Instant::now();
    let out = call(script(&[(440.0, 500, 0)]), cfg, 10).await;
    let Ending::FarEnd(why) = &out.report.ending else {
        panic!("{:?}", out.report.ending)
    };
    assert!(why.contains("could not be restored"), "{why}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "ended well before --duration"
    );
    assert!(
        out.report.timeline.first_rtp_out.is_some(),
        "the call had been up"
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.text.starts_with("connection lost"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_larger_than_the_read_buffer_arrive_whole_and_the_log_is_read_live() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let server = StandInServer::start(
        "127.0.0.1:0".parse().unwrap(),
        StandInServerConfig::default(),
    )
    .await
    .unwrap();
    let mut ws = wacall::io::openai::socket::dial(
        &server.url(),
        "gpt-realtime",
        "sk-test",
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    // 3 s of 24 kHz PCM in one append: 192 KB of base64, twelve read buffers.
    let pcm = vec![0u8; 3 * 24_000 * 2];
    let audio = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &pcm);
    let append = serde_json::json!({"type": "input_audio_buffer.append", "audio": audio});
    ws.send(Message::text(append.to_string())).await.unwrap();
    // The log is read while the connection is open, not only when it ends.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server
        .logs()
        .first()
        .is_none_or(|c| c.log.appended_ms < 3000)
    {
        assert!(Instant::now() < deadline, "{:?}", server.logs());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.logs()[0].log.appended_ms, 3000);
    assert!(server.logs()[0].log.errors_sent.is_empty());
    // And the socket is still usable: the stand-in answers a response.create.
    let create =
        serde_json::json!({"type": "response.create", "response": {"instructions": "Hi."}});
    ws.send(Message::text(create.to_string())).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(m)) = ws.next().await {
            if m.to_text().unwrap_or("").contains("\"response.created\"") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_after_a_quiet_spell_is_streamed_at_its_pace_not_at_once() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let ai = StandInServer::start("127.0.0.1:0".parse().unwrap(), Default::default())
        .await
        .unwrap();
    let mut req = format!("{}?model=gpt-realtime", ai.url())
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", "Bearer sk-test".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    // The hello, then nothing from either side for a while.
    let hello = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
    assert!(matches!(hello, Ok(Some(Ok(Message::Text(_))))), "{hello:?}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let ask = r#"{"type":"response.create","response":{"instructions":"Hello there"}}"#;
    ws.send(Message::text(ask)).await.unwrap();
    // 440 ms of audio in 100 ms deltas at 4x: five deltas, 25 ms apart.
    let mut deltas = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while deltas.len() < 5 {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout(left, ws.next()).await else {
            panic!("only {} deltas", deltas.len());
        };
        if t.contains("\"response.output_audio.delta\"") {
            deltas.push(Instant::now());
        }
    }
    let spread = deltas[4] - deltas[0];
    assert!(
        spread >= Duration::from_millis(80),
        "five deltas within {spread:?}: sent at once, not paced"
    );
}
