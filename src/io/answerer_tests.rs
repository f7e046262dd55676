//! Tests of `answerer.rs`.

use super::*;

#[test]
fn codecs_follow_the_offer() {
    let c = offered_codecs(include_str!(
        "../../testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp"
    ))
    .unwrap();
    assert_eq!(
        (c.opus_pt, c.dtmf_pt, c.opus_fmtp.as_str()),
        (111, Some(126), "")
    );
    let e = offered_codecs(include_str!(
        "../../testdata/rules/WA014-fires-no-opus.offer.sdp"
    ))
    .unwrap_err();
    assert!(e.to_string().contains("no Opus"));
}

#[test]
fn the_offers_playback_rate_is_read_from_its_opus_fmtp() {
    let real =
        include_str!("../../testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp");
    assert_eq!(offered_playback_rate(real), Some(16_000));
    let bare = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10\r\n";
    assert_eq!(offered_playback_rate(bare), None);
}

#[test]
fn dtmf_at_other_rates_is_not_offered_to_webrtc_rs() {
    let offer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 110 126\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\na=fmtp:110 0-15\r\na=rtpmap:126 telephone-event/8000\r\n";
    assert_eq!(
        without_foreign_dtmf(offer),
        "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 126\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n"
    );
    let real =
        include_str!("../../testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp");
    assert_eq!(
        without_foreign_dtmf(real),
        real,
        "a real WhatsApp offer is applied as it is"
    );
}

#[test]
fn tidy_answers_drop_rtcp_candidates_and_name_the_default() {
    let raw = "v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 111 126\nc=IN IP4 0.0.0.0\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\na=candidate:1 2 udp 2130706431 127.0.0.1 5000 typ host\na=end-of-candidates\n";
    let t = tidy_answer(raw, None);
    assert_eq!(
        t,
        "v=0\r\nm=audio 5000 UDP/TLS/RTP/SAVPF 111 126\r\nc=IN IP4 127.0.0.1\r\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\n"
    );
    let public = tidy_answer(raw, Some("203.0.113.9".parse().unwrap()));
    assert!(
        public.contains(
            "c=IN IP4 203.0.113.9\r\na=candidate:1 1 udp 2130706431 203.0.113.9 5000 typ host\r\n"
        ),
        "{public}"
    );
}
