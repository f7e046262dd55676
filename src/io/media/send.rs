//! The sending half of the media loop: one 20 ms tick out as Opus RTP (or a
//! DTMF event), and the silence packet made once.

use super::{FRAME_TIME, MediaConfig, MediaStats};
use crate::core::audio::{Encoder, FRAME, frame_len};
use crate::core::rtp::{Packetizer, dtmf_event, dtmf_payload};
use crate::io::farend::FarEnd;
use bytes::Bytes;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;
use webrtc::media_stream::track_local::TrackLocal;

/// One 20 ms tick: the far end's frame (or a DTMF event packet) out.
/// Returns how many frames were skipped because the tick came late.
#[allow(clippy::too_many_arguments)]
pub(super) async fn send_tick(
    cfg: &MediaConfig,
    far: &mut dyn FarEnd,
    encoder: &mut Encoder,
    silence: &mut Silence,
    packetizer: &mut Packetizer,
    pending_dtmf: &mut Option<(u8, u32)>,
    dtmf: &mut mpsc::UnboundedReceiver<char>,
    began: Instant,
    sent_frames: &mut u64,
    stats: &Arc<Mutex<MediaStats>>,
) -> anyhow::Result<u64> {
    // Timestamps follow the wall clock: a late tick skips frames instead of bursting.
    let due = (began.elapsed().as_micros() / FRAME_TIME.as_micros()) as u64;
    let mut skipped = 0;
    if due > *sent_frames + 1 {
        skipped = due - *sent_frames - 1;
        packetizer.skip((skipped as u32) * FRAME as u32);
        *sent_frames += skipped;
        far.skipped(skipped);
    }
    if pending_dtmf.is_none()
        && cfg.dtmf_pt.is_some()
        && let Ok(key) = dtmf.try_recv()
        && let Some(ev) = dtmf_event(key)
    {
        *pending_dtmf = Some((ev, 0));
    }
    // A far end's packet longer than 20 ms covers the next ticks too.
    let now_frame =
        ((began.elapsed() + FRAME_TIME / 2).as_micros() / FRAME_TIME.as_micros()) as u64;
    if *sent_frames > now_frame {
        return Ok(skipped);
    }
    let first = *sent_frames == 0;
    let opus = far.sends_opus().then(|| far.speak_opus());
    let spoke = opus.is_none();
    // 20 ms at the far end's rate (at most 48 kHz, so it fits).
    let mut buf = [0i16; FRAME];
    let frame = &mut buf[..frame_len(far.rate())];
    if opus.is_none() {
        far.speak(frame);
    }
    let mut cached_silence = false;
    let packets = match (pending_dtmf.as_mut(), cfg.dtmf_pt) {
        // 100 ms of event, then the end packet three times (RFC 4733 §2.5.1.4).
        (Some((ev, n)), Some(pt)) => {
            *n += 1;
            let end = *n >= 5;
            let duration = (*n * 160) as u16;
            let mut out = Vec::new();
            for i in 0..if end { 3 } else { 1 } {
                let (seq, ts) = packetizer.next_same_time();
                let ts = ts.wrapping_sub((*n - 1) * FRAME as u32);
                out.push((
                    pt,
                    *n == 1 && i == 0,
                    seq,
                    ts,
                    Bytes::copy_from_slice(&dtmf_payload(*ev, end, 10, duration)),
                ));
            }
            packetizer.skip(FRAME as u32);
            if end {
                *pending_dtmf = None;
            }
            out
        }
        _ => {
            let (payload, samples) = match opus.flatten() {
                Some(p) => {
                    let n = crate::core::relay::opus_samples(&p).unwrap_or(FRAME as u32);
                    (p, n)
                }
                // A far end that sends Opus but has nothing this tick: one
                // silence packet, encoded once (encoding it every empty tick
                // was 7 % of `serve`'s CPU with 300 `echo:opus` calls).
                None if !spoke => {
                    cached_silence = true;
                    (silence.get_or_encode(cfg.bitrate)?, FRAME as u32)
                }
                // A far end with nothing to say (the AI between turns, an
                // echo before the caller speaks) gives digital silence:
                // the packet made once, instead of running the encoder.
                None if frame.iter().all(|&s| s == 0) => {
                    cached_silence = true;
                    silence.encoder_behind = true;
                    (silence.get_or_encode(cfg.bitrate)?, FRAME as u32)
                }
                None => {
                    if std::mem::take(&mut silence.encoder_behind) {
                        encoder.reset()?;
                    }
                    (Bytes::from(encoder.encode(frame)?), FRAME as u32)
                }
            };
            let (seq, ts) = packetizer.next(samples);
            *sent_frames += u64::from(samples / FRAME as u32).saturating_sub(1);
            vec![(cfg.opus_pt, first, seq, ts, payload)]
        }
    };
    *sent_frames += 1;
    // Opus sent as it came is not decoded, so its level is not known here.
    let level = crate::core::audio::level_dbfs(if spoke { frame } else { &[] });
    stats.lock().unwrap().level_out_dbfs = level;
    for (pt, marker, seq, ts, payload) in packets {
        let is_dtmf = Some(pt) == cfg.dtmf_pt;
        let len = payload.len() + 12;
        let packet = rtc::rtp::Packet {
            header: rtc::rtp::Header {
                version: 2,
                marker,
                payload_type: pt,
                sequence_number: seq,
                timestamp: ts,
                ssrc: cfg.ssrc,
                ..Default::default()
            },
            payload,
        };
        let result = cfg.track.write_rtp(packet).await;
        let mut s = stats.lock().unwrap();
        match result {
            Ok(()) => {
                s.sent_packets += 1;
                s.sent_bytes += len as u64;
                s.sent_dtmf_packets += u64::from(is_dtmf);
                s.sent_silence += u64::from(cached_silence && !is_dtmf);
                s.first_sent.get_or_insert_with(Instant::now);
            }
            Err(e) => {
                s.write_errors += 1;
                s.last_error = Some(e.to_string());
            }
        }
    }
    Ok(skipped)
}

/// 20 ms of silence as Opus, encoded by a fresh encoder the first time it is
/// needed: every Opus packet decodes on its own, so one serves every tick.
#[derive(Default)]
pub struct Silence {
    packet: Option<Bytes>,
    /// Silence went out that the call's encoder did not code: it is reset
    /// before its next frame, so it predicts from nothing the caller's
    /// decoder did not hear (as at the start of a call).
    pub encoder_behind: bool,
}

impl Silence {
    pub fn get_or_encode(&mut self, bitrate: i32) -> anyhow::Result<Bytes> {
        if let Some(p) = &self.packet {
            return Ok(p.clone());
        }
        let p = Bytes::from(Encoder::new(bitrate)?.encode(&[0; FRAME])?);
        self.packet = Some(p.clone());
        Ok(p)
    }
}
