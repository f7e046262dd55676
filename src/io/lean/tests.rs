//! The lean path against the simulated WhatsApp (webrtc-rs's core,
//! ICE-lite, DTLS server, behind Meta's gate) over loopback.

use crate::core::audio::Tone;
use crate::io::answerer::{AnswererConfig, MediaStack};
use crate::io::direct::testkit::{offered_and_answered, offered_and_answered_on, until_dtls};
use crate::io::media::{MediaConfig, MediaStats, Source};
use crate::io::rtc::PeerEvent;
use ::rtc::peer_connection::state::RTCPeerConnectionState;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

fn lean() -> AnswererConfig {
    AnswererConfig {
        stack: MediaStack::Lean,
        ..AnswererConfig::default()
    }
}

const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// A whole call with the business on the lean path and WhatsApp on
/// webrtc-rs's core: the answer passes WhatsApp's rules and promises no
/// transport-wide congestion control; WhatsApp's side sees nominating
/// checks with the right credentials, DTLS with the answer's certificate,
/// our 1 kHz tone and our RTCP reports; and we hear its packets.
#[tokio::test]
async fn a_call_on_the_lean_path_carries_audio_both_ways_and_reports() {
    whole_call(MediaStack::Lean, MediaStack::Rtc).await;
}

/// The simulated WhatsApp on the lean stack (ICE-lite, DTLS server) takes
/// a call from either business stack.
#[tokio::test]
async fn the_lean_whatsapp_side_takes_calls_from_either_stack() {
    whole_call(MediaStack::Rtc, MediaStack::Lean).await;
    whole_call(MediaStack::Lean, MediaStack::Lean).await;
}

async fn whole_call(business: MediaStack, whatsapp_stack: MediaStack) {
    let cfg = AnswererConfig {
        stack: business,
        ..AnswererConfig::default()
    };
    let (mut whatsapp, a) = offered_and_answered_on(LOOPBACK, cfg, whatsapp_stack).await;
    if business == MediaStack::Lean {
        assert!(!a.answer.contains("transport-cc"), "{}", a.answer);
    }
    assert!(a.answer.contains("a=setup:active"), "{}", a.answer);
    {
        use crate::core::input::{CallDirection, detect};
        let (o, s) = (
            detect(whatsapp.offer().as_bytes()).unwrap(),
            detect(a.answer.as_bytes()).unwrap(),
        );
        let report = crate::core::lint::check(Some(&o), Some(&s), CallDirection::UserInitiated);
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.rule.severity != crate::core::lint::Severity::Error),
            "{:?}",
            report.findings
        );
    }
    whatsapp.apply_answer(&a.answer).await.unwrap();
    let timeline = until_dtls(&whatsapp).await;
    assert!(timeline.dtls_connected.is_some(), "{timeline:?}");

    let cfg = MediaConfig {
        ssrc: a.ssrc,
        opus_pt: a.codecs.opus_pt,
        dtmf_pt: a.codecs.dtmf_pt,
        bitrate: 24_000,
        complexity: 1,
        decode_for: None,
        playback_hz: None,
    };
    let (_start, start_rx) = watch::channel(true);
    let (stop, stop_rx) = watch::channel(false);
    let (_dtmf, dtmf_rx) = mpsc::unbounded_channel();
    let stats = Arc::new(Mutex::new(MediaStats::default()));
    let media = a.peer.run_media(
        &cfg,
        Box::new(Source::Tone(Tone::new(1000.0, 0.3))),
        start_rx,
        stop_rx,
        dtmf_rx,
        stats.clone(),
    );
    whatsapp.accept();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(5), media)
        .await
        .expect("the media loop did not end")
        .unwrap()
        .unwrap();

    let state = whatsapp.state();
    let seen = &state.seen;
    assert!(
        seen.nominations >= 1 && seen.role_conflicts == 0,
        "{seen:?}"
    );
    assert_eq!(seen.bad_credentials, 0, "{seen:?}");
    assert!(
        seen.rtcp_in >= 1,
        "no RTCP report reached WhatsApp: {seen:?}"
    );
    assert!(
        state.heard_packets >= 80,
        "WhatsApp heard {}",
        state.heard_packets
    );
    assert_eq!(state.rtp_in.lost(), 0);
    let heard = whatsapp.analysis().dominant_hz.unwrap();
    assert!((heard - 1000.0).abs() < 20.0, "WhatsApp heard {heard} Hz");
    let ours = stats.lock().unwrap().clone();
    assert!(
        ours.received_packets >= 80,
        "we heard {}",
        ours.received_packets
    );
    assert_eq!(ours.write_errors, 0, "{:?}", ours.last_error);

    a.peer.close().await;
    whatsapp.close().await;
}

/// The state changes the bridge waits for, until one ends the connection.
async fn until_end(events: &mut mpsc::UnboundedReceiver<PeerEvent>) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
    while let Ok(Some(e)) = tokio::time::timeout_at(deadline, events.recv()).await {
        let end = matches!(
            e,
            PeerEvent::State(RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed)
        );
        seen.push(match e {
            PeerEvent::Ice(s) => format!("ice {s}"),
            PeerEvent::State(s) => format!("state {s}"),
            _ => continue,
        });
        if end {
            break;
        }
    }
    seen
}

/// A certificate other than the offer's fingerprint names fails the call
/// at DTLS, after ICE connected.
#[tokio::test]
async fn a_certificate_not_matching_the_offers_fingerprint_fails_the_call() {
    let mut whatsapp = crate::io::sim::peer::WhatsAppPeer::new(
        crate::io::sim::peer::PeerConfig::loopback(Source::Tone(Tone::new(440.0, 0.3))),
    )
    .await
    .unwrap();
    let offer = whatsapp.offer().to_string();
    let line = offer
        .lines()
        .find(|l| l.starts_with("a=fingerprint:sha-256 "))
        .unwrap();
    let forged = format!("a=fingerprint:sha-256 {}", ["AB"; 32].join(":"));
    let cfg = AnswererConfig {
        bind: vec![LOOPBACK],
        ..lean()
    };
    let mut a = crate::io::direct::answer(&offer.replace(line, &forged), &cfg)
        .await
        .unwrap();
    whatsapp.apply_answer(&a.answer).await.unwrap();
    let seen = until_end(&mut a.events).await;
    assert!(seen.contains(&"ice connected".to_string()), "{seen:?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("state failed"),
        "{seen:?}"
    );
    a.peer.close().await;
    whatsapp.close().await;
}

/// Checks nobody answers (the answer never reaches WhatsApp, whose gate
/// drops them) run out and fail the call.
#[tokio::test]
async fn unanswered_checks_fail_the_call() {
    let (mut whatsapp, mut a) = offered_and_answered(LOOPBACK, lean()).await;
    let seen = until_end(&mut a.events).await;
    assert_eq!(
        seen,
        [
            "ice checking",
            "state connecting",
            "ice failed",
            "state failed"
        ]
    );
    a.peer.close().await;
    whatsapp.close().await;
}

/// WhatsApp's side sends only what the answer agreed to: an answer
/// without telephone-event leaves DTMF refused, as webrtc-rs refuses it
/// (aiortc answers so; `tests/sim_interop.rs` counts the refused packets).
#[test]
fn payload_types_the_answer_dropped_are_refused() {
    use super::ice::Credentials;
    use super::{Lean, LeanConfig, Role};
    use crate::io::direct::Conn;
    use ::rtc::peer_connection::sdp::RTCSessionDescription;
    let now = std::time::Instant::now();
    let cert =
        super::answer::dimpl_certificate(&crate::io::answerer::certificate().unwrap()).unwrap();
    let mut wa = Lean::new(
        LeanConfig {
            role: Role::WhatsApp,
            creds: Credentials {
                local_ufrag: "wa".into(),
                local_pwd: "wapasswordwapassword".into(),
                remote_ufrag: String::new(),
                remote_pwd: String::new(),
            },
            remotes: vec![],
            fingerprint: vec![],
            cert,
            ssrc: 1,
            payload_types: vec![111, 126],
            check_interval: Duration::from_secs(1),
            attempts: 0,
            wall: std::time::SystemTime::now(),
        },
        now,
    );
    let answer = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:b\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbb\r\na=fingerprint:sha-256 {}\r\n",
        ["AB"; 32].join(":")
    );
    wa.set_remote(now, RTCSessionDescription::answer(answer).unwrap())
        .unwrap();
    let packet = |pt| ::rtc::rtp::Packet {
        header: ::rtc::rtp::Header {
            version: 2,
            payload_type: pt,
            ssrc: 1,
            ..Default::default()
        },
        payload: bytes::Bytes::from_static(&[0; 4]),
    };
    let dtmf = wa.write_rtp(now, packet(126)).unwrap_err();
    assert!(dtmf.contains("126 was not negotiated"), "{dtmf}");
    let opus = wa.write_rtp(now, packet(111)).unwrap_err();
    assert!(opus.contains("not connected"), "{opus}");
}
