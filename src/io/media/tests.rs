//! Tests of the media loop's parts: sources, the silence packet.

use super::*;
use crate::core::audio::Tone;
use bytes::Bytes;

#[test]
fn a_pre_encoded_source_loops_its_packets_and_sends_them_as_they_are() {
    use crate::io::farend::FarEnd;
    let mut s = Source::Tone(Tone::new(440.0, 0.3))
        .pre_encoded(10, 20_000, None)
        .unwrap();
    assert!(
        s.sends_opus() && !s.passthrough(),
        "it still hears decoded audio"
    );
    let first: Vec<Bytes> = (0..10).map(|_| s.speak_opus().unwrap()).collect();
    assert!(first.iter().all(|p| p.len() > 10), "real Opus packets");
    assert_eq!(s.speak_opus().unwrap(), first[0], "looped");
    let mut dec = crate::core::audio::Decoder::new().unwrap();
    let mut pcm = Vec::new();
    for p in &first {
        dec.decode(p, &mut pcm).unwrap();
    }
    let hz = crate::core::audio::dominant_frequency(&pcm[FRAME..]).unwrap();
    assert!((hz - 440.0).abs() < 5.0, "{hz}");
    assert!(!Source::Silence.sends_opus());
}

#[test]
fn sources_loop() {
    let mut s = Source::Samples {
        data: Arc::new(vec![1, 2, 3]),
        pos: 0,
    };
    let f = s.frame();
    assert_eq!(&f[..4], &[1, 2, 3, 1]);
    assert_eq!(Source::Silence.frame(), [0; FRAME]);
}

#[test]
fn one_silence_packet_is_encoded_once_and_decodes_to_silence() {
    let mut s = Silence::default();
    let a = s.get_or_encode(20_000).unwrap();
    let b = s.get_or_encode(20_000).unwrap();
    assert_eq!(
        a.as_ptr(),
        b.as_ptr(),
        "the same bytes, not a second encode"
    );
    // Decoded by a decoder that has heard a tone first, as a caller's would.
    let mut dec = crate::core::audio::Decoder::new().unwrap();
    let mut enc = crate::core::audio::Encoder::new(20_000).unwrap();
    let mut tone = Tone::new(440.0, 0.3);
    let mut pcm = Vec::new();
    for _ in 0..5 {
        dec.decode(&enc.encode(&tone.frame()).unwrap(), &mut pcm)
            .unwrap();
    }
    for _ in 0..5 {
        pcm.clear();
        dec.decode(&a, &mut pcm).unwrap();
    }
    assert_eq!(pcm.len(), FRAME);
    let level = crate::core::audio::level_dbfs(&pcm);
    assert!(level < -60.0, "{level} dBFS");
    // Speech again: the call's encoder, reset, is heard at the tone's level
    // (-13.5 dBFS) from its third frame, by the decoder that got the silence.
    enc.reset().unwrap();
    let mut levels = Vec::new();
    for _ in 0..10 {
        pcm.clear();
        dec.decode(&enc.encode(&tone.frame()).unwrap(), &mut pcm)
            .unwrap();
        levels.push(crate::core::audio::level_dbfs(&pcm));
    }
    assert!(
        levels[2..].iter().all(|l| (l + 13.5).abs() < 1.5),
        "{levels:?}"
    );
}

#[test]
fn a_light_file_is_encoded_whole_so_its_pauses_loop_too() {
    // 1 s of tone then 2 s of silence: the turns a Realtime caller takes.
    let mut tone = Tone::new(440.0, 0.3);
    let mut turns: Vec<i16> = (0..50).flat_map(|_| tone.frame()).collect();
    turns.extend(std::iter::repeat_n(0, 100 * FRAME));
    let file = Source::Samples {
        data: Arc::new(turns),
        pos: 0,
    };
    assert_eq!(file.loop_frames(), 150);
    assert_eq!(Source::Tone(tone).loop_frames(), 50);
    let mut s = file.pre_encoded(150, 20_000, None).unwrap();
    let mut dec = crate::core::audio::Decoder::new().unwrap();
    let mut levels = Vec::new();
    for _ in 0..300 {
        let mut pcm = Vec::new();
        dec.decode(&s.next_packet().unwrap(), &mut pcm).unwrap();
        levels.push(crate::core::audio::level_dbfs(&pcm));
    }
    // Sound, silence, and sound again where the loop starts over.
    assert!(
        levels[25] > -20.0 && levels[100] < -60.0 && levels[175] > -20.0,
        "{levels:?}"
    );
}

#[test]
fn the_calls_encoder_codes_at_the_configured_complexity() {
    let codecs = crate::io::rtc::Codecs {
        opus_pt: 111,
        opus_fmtp: String::new(),
        dtmf_pt: None,
    };
    for complexity in [1, crate::core::audio::COMPLEXITY, 9] {
        let cfg = MediaConfig {
            track: crate::io::rtc::audio_track(&codecs, 1, "s", "t"),
            ssrc: 1,
            opus_pt: 111,
            dtmf_pt: None,
            bitrate: 20_000,
            complexity,
            decode_for: None,
            playback_hz: Some(16_000),
        };
        assert_eq!(
            encoder(&cfg, RATE).unwrap().complexity().unwrap(),
            complexity
        );
    }
}

/// Playout keeps to the wall clock: one frame a tick on time, the missed
/// ones too when a tick comes late, none when a tick comes early after a
/// catch-up.
#[test]
fn a_late_tick_plays_out_the_frames_it_missed() {
    let ms = Duration::from_millis;
    assert_eq!(frames_due(ms(0), 0), 1);
    assert_eq!(frames_due(ms(20), 1), 1);
    assert_eq!(frames_due(ms(39), 2), 0);
    assert_eq!(frames_due(ms(65), 2), 2);
    assert_eq!(frames_due(ms(80), 4), 1);
    assert_eq!(frames_due(ms(1000), 4), 47);
}
