//! What a 24 kHz far end (the Realtime API) costs per 20 ms frame, each
//! way, with the codec at 48 kHz and a half-band resampler beside it (the
//! old path) against libopus converting by itself (decoding to and encoding
//! from 24 kHz). Encoder settings are the bridge's: VoIP, 20 kb/s, in-band
//! FEC, complexity 5, wideband (WhatsApp's `maxplaybackrate` 16000).
//!
//! Run: `cargo bench --bench opus_rates`.

use std::time::Instant;
use wacall::core::audio::{Decoder, Encoder, FRAME, Resampler, Tone, frame_len};

const FRAMES: usize = 5_000;
const AI_RATE: u32 = 24_000;

fn encoder(rate: u32) -> Encoder {
    let mut e = Encoder::at_rate(20_000, rate).unwrap();
    e.limit_to_playback_rate(16_000).unwrap();
    e
}

/// Microseconds per frame of `f` over every frame.
fn per_frame(mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for i in 0..FRAMES {
        f(i);
    }
    start.elapsed().as_secs_f64() * 1e6 / FRAMES as f64
}

fn main() {
    let mut tone = Tone::new(440.0, 0.3);
    let at48: Vec<[i16; FRAME]> = (0..FRAMES).map(|_| tone.frame()).collect();
    let mut tone = Tone::new(440.0, 0.3);
    let at24: Vec<Vec<i16>> = (0..FRAMES)
        .map(|_| {
            let mut f = vec![0; frame_len(AI_RATE)];
            tone.fill(&mut f, AI_RATE);
            f
        })
        .collect();
    let mut enc = encoder(48_000);
    let packets: Vec<Vec<u8>> = at48.iter().map(|f| enc.encode(f).unwrap()).collect();

    // The caller toward the AI.
    let (mut dec, mut pcm, mut half) = (Decoder::new().unwrap(), Vec::new(), Vec::new());
    let mut down = Resampler::new(48_000, AI_RATE, FRAME).unwrap();
    let old_in = per_frame(|i| {
        pcm.clear();
        half.clear();
        dec.decode(&packets[i], &mut pcm).unwrap();
        down.push(&pcm, &mut half);
    });
    let mut dec = Decoder::at_rate(AI_RATE).unwrap();
    let new_in = per_frame(|i| {
        pcm.clear();
        dec.decode(&packets[i], &mut pcm).unwrap();
    });

    // The AI toward the caller.
    let (mut enc, mut up, mut doubled) = (
        encoder(48_000),
        Resampler::new(AI_RATE, 48_000, 120).unwrap(),
        Vec::new(),
    );
    let old_out = per_frame(|i| {
        up.push(&at24[i], &mut doubled);
        if doubled.len() >= FRAME {
            enc.encode(&doubled[..FRAME]).unwrap();
            doubled.drain(..FRAME);
        }
    });
    let mut enc = encoder(AI_RATE);
    let new_out = per_frame(|i| {
        enc.encode(&at24[i]).unwrap();
    });

    println!("µs per 20 ms            48 kHz + resampler   codec at 24 kHz");
    println!("caller to AI (decode)   {old_in:>18.1}   {new_in:>15.1}");
    println!("AI to caller (encode)   {old_out:>18.1}   {new_out:>15.1}");
}
