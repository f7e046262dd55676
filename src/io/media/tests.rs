//! Tests of the media loop's parts: sources, the silence packet.

use super::core::{encoder, frames_due};
use super::*;
use crate::core::audio::{FRAME, RATE, Tone};
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
    for complexity in [1, crate::core::audio::COMPLEXITY, 9] {
        let cfg = MediaConfig {
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

/// A far end at `rate` that says what it was given.
#[derive(Default)]
struct Probe {
    rate: u32,
    heard: Arc<Mutex<Vec<usize>>>,
    skipped: Arc<Mutex<u64>>,
}

impl crate::io::farend::FarEnd for Probe {
    fn name(&self) -> String {
        "probe".into()
    }
    fn rate(&self) -> u32 {
        self.rate
    }
    fn hear(&mut self, samples: &[i16], _at: Instant) {
        self.heard.lock().unwrap().push(samples.len());
    }
    fn speak(&mut self, out: &mut [i16]) {
        out.fill(1000);
    }
    fn skipped(&mut self, frames: u64) {
        *self.skipped.lock().unwrap() += frames;
    }
}

fn config() -> MediaConfig {
    MediaConfig {
        ssrc: 7,
        opus_pt: 111,
        dtmf_pt: Some(126),
        bitrate: 20_000,
        complexity: 1,
        decode_for: None,
        playback_hz: Some(16_000),
    }
}

/// On a fake clock: a tick on time sends the next 20 ms; a tick 100 ms
/// late skips the frames it missed on the RTP clock (no burst) and tells
/// the far end, so the frame it sends is the one whose time it is;
/// nothing goes out before `start`.
#[test]
fn the_core_keeps_to_the_clock_it_is_given() {
    let t0 = Instant::now();
    let ms = |n| t0 + Duration::from_millis(n);
    let probe = Probe {
        rate: RATE,
        ..Probe::default()
    };
    let skipped = probe.skipped.clone();
    let stats: Arc<Mutex<MediaStats>> = Arc::default();
    let mut core = MediaCore::new(&config(), Box::new(probe), stats.clone(), t0).unwrap();
    assert!(core.tick(t0).unwrap().is_empty(), "not started");
    core.start(ms(0));
    let ts: Vec<u32> = [0, 20, 120, 140]
        .into_iter()
        .map(|t| {
            let out = core.tick(ms(t)).unwrap();
            assert_eq!(out.len(), 1, "one packet a tick at {t} ms");
            out[0].packet.header.timestamp
        })
        .collect();
    let step = |a: u32, b: u32| b.wrapping_sub(a);
    assert_eq!(step(ts[0], ts[1]), FRAME as u32);
    assert_eq!(
        step(ts[1], ts[2]),
        5 * FRAME as u32,
        "100 ms on the RTP clock"
    );
    assert_eq!(step(ts[2], ts[3]), FRAME as u32);
    assert_eq!(
        *skipped.lock().unwrap(),
        4,
        "the frames of 40, 60, 80 and 100 ms"
    );
    assert_eq!(stats.lock().unwrap().skipped_frames, 4);
}

/// The codec runs at the far end's rate: a 24 kHz far end is given 480
/// samples per 20 ms packet, and what it says is coded from 480.
#[test]
fn a_far_end_at_24_khz_hears_and_speaks_at_24_khz() {
    let t0 = Instant::now();
    let probe = Probe {
        rate: 24_000,
        ..Probe::default()
    };
    let heard = probe.heard.clone();
    let stats: Arc<Mutex<MediaStats>> = Arc::default();
    let mut core = MediaCore::new(&config(), Box::new(probe), stats.clone(), t0).unwrap();
    core.start(t0);
    let out = core.tick(t0).unwrap();
    let mut enc = crate::core::audio::Encoder::new(20_000).unwrap();
    let mut tone = Tone::new(440.0, 0.3);
    for seq in 0..3u16 {
        let packet = rtc::rtp::Packet {
            header: rtc::rtp::Header {
                payload_type: 111,
                sequence_number: seq,
                timestamp: u32::from(seq) * FRAME as u32,
                ssrc: 9,
                ..Default::default()
            },
            payload: Bytes::from(enc.encode(&tone.frame()).unwrap()),
        };
        core.receive(&packet, t0);
    }
    assert_eq!(*heard.lock().unwrap(), vec![480, 480, 480]);
    // What it said decodes to 20 ms: coded from a whole 24 kHz frame.
    let mut pcm = Vec::new();
    let mut dec = crate::core::audio::Decoder::new().unwrap();
    assert_eq!(dec.decode(&out[0].packet.payload, &mut pcm).unwrap(), FRAME);
    core.sent(out[0].sent, Ok(()), t0);
    let s = stats.lock().unwrap();
    assert_eq!((s.sent_packets, s.received_packets), (1, 3));
}
