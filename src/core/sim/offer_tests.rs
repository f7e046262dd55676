//! Tests of `offer.rs`.

use super::*;
use crate::core::input::{self, CallDirection};
use crate::core::lint;

fn transport() -> Transport {
    let mut n = 7u64;
    let mut rng = || {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        n >> 33
    };
    Transport {
        session_id: 1760681506762,
        ice_ufrag: random_ufrag(&mut rng),
        ice_pwd: random_pwd(&mut rng),
        fingerprint: (0..32)
            .map(|i| format!("{:02X}", i * 7))
            .collect::<Vec<_>>()
            .join(":"),
        candidates: vec![
            "127.0.0.1:40000".parse().unwrap(),
            "[::1]:40000".parse().unwrap(),
        ],
        ssrc: 1047224411,
        stream_id: "c3867497-e6f7-4408-82b7-80dbd11b94cf".into(),
    }
}

#[test]
fn the_offer_has_the_real_shape() {
    let t = transport();
    assert!(
        t.ice_pwd.ends_with("==") && t.ice_pwd.len() == 24,
        "{}",
        t.ice_pwd
    );
    assert_eq!(t.ice_ufrag.len(), 16);
    let offer = build_offer(&AudioTemplate::whatsapp(), &t);
    // Line for line the shape of the real 2025-10-17 offer: same keys in the same order.
    let real =
        include_str!("../../../testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp");
    let shape = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.split([':', ' ']).next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(shape(&offer), shape(real));
    assert!(offer.ends_with("\r\n") && !offer.contains("\r\n\r\n"));
    assert!(offer.contains(&format!("a=fmtp:111 {WHATSAPP_OPUS_FMTP}\r\n")));
    // ...and it lints clean as WhatsApp's offer.
    let found = input::detect(offer.as_bytes()).unwrap();
    let codes: Vec<_> = lint::check(Some(&found), None, CallDirection::UserInitiated)
        .findings
        .iter()
        .map(|f| f.rule.code)
        .collect();
    assert_eq!(codes, ["WA031"]);
}

#[test]
fn templates_from_captured_offers() {
    let docs = AudioTemplate::from_offer(include_str!(
        "../../../testdata/corpus/offer-metadocs-uic-sample.sdp"
    ))
    .unwrap();
    assert_eq!((docs.opus_pt, docs.dtmf_pt), (111, Some(126)));
    assert_eq!(docs.opus_fmtp, "minptime=10;useinbandfec=1");
    assert!(docs.codec_lines.iter().any(|l| l.starts_with("extmap:1 ")));
    assert!(docs.ptime_lines.is_empty());
    assert_eq!(docs.cname, "gAXq2V9TKltrnapv");
    let real = AudioTemplate::from_offer(include_str!(
        "../../../testdata/corpus/offer-whatsapp-real-uic-2025-11-05-mehery-web-vue.sdp"
    ))
    .unwrap();
    assert_eq!(real, AudioTemplate::whatsapp());
    assert!(AudioTemplate::from_offer("v=0\r\n").is_err());
}

#[test]
fn wire_answers_name_the_media_address() {
    let local = "v=0\r\nt=0 0\r\na=ice-lite\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\na=candidate:1 2 udp 2130706431 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\na=setup:active\r\n";
    let wire = wire_answer(local, "127.0.0.1:40000".parse().unwrap());
    assert!(
        wire.contains("m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=candidate:"),
        "{wire}"
    );
    assert_eq!(wire.matches("a=candidate:").count(), 1);
    assert!(wire.contains(" 127.0.0.1 40000 typ host generation 0 network-cost 50\r\n"));
    assert!(!wire.contains("end-of-candidates") && wire.contains("a=ice-lite\r\n"));
}

#[test]
fn answers_translate_to_the_peer_and_keep_their_facts() {
    let answer = "v=0\r\na=group:BUNDLE audio\r\na=ice-lite\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:audio\r\na=setup:passive\r\na=ice-ufrag:brdg\r\na=extmap:1 urn:x\r\n";
    let facts = answer_facts(answer);
    assert_eq!(
        facts,
        BusinessSdp {
            ice_lite: true,
            setup: Some("passive".into()),
            ice_ufrag: Some("brdg".into())
        }
    );
    let inner = internal_answer(answer, "audio", "0");
    assert_eq!(
        inner,
        "v=0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=setup:active\r\na=ice-ufrag:brdg\r\n"
    );
}

#[test]
fn whatsapp_captures_wideband_and_a_template_without_the_parameter_says_nothing() {
    assert_eq!(AudioTemplate::whatsapp().capture_hz(), Some(16_000));
    let mut t = AudioTemplate::whatsapp();
    t.opus_fmtp = "minptime=10;useinbandfec=1".into();
    assert_eq!(t.capture_hz(), None);
}
