//! The sending half of the media loop: one 20 ms tick out as Opus RTP (or a
//! DTMF event), and the silence packet made once.

use super::FRAME_TIME;
use super::core::Sending;
use crate::core::audio::{Encoder, FRAME, frame_len};
use crate::core::rtp::{dtmf_event, dtmf_payload};
use crate::io::farend::FarEnd;
use bytes::Bytes;
use std::time::Instant;

/// One RTP packet the tick made, with what the stats need to know of it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub packet: rtc::rtp::Packet,
    pub sent: Sent,
}

/// What the stats count of a packet once it is sent.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    /// On the wire before SRTP: the 12-byte header and the payload.
    pub bytes: usize,
    pub dtmf: bool,
    /// The silence packet made once, not encoded this tick.
    pub silence: bool,
}

/// One 20 ms tick at `now`: the far end's frame (or a DTMF event packet)
/// as RTP. Returns how many frames were skipped because the tick came
/// late, the packets to send, and the level of the frame spoken (when one
/// was).
pub(super) fn send_tick(
    s: &mut Sending,
    far: &mut dyn FarEnd,
    began: Instant,
    now: Instant,
) -> anyhow::Result<(u64, Vec<Outgoing>, Option<f64>)> {
    let elapsed = now.saturating_duration_since(began);
    // Timestamps follow the wall clock: a late tick skips frames instead of
    // bursting. `due` is the frame whose 20 ms has begun; every frame before
    // it that was not sent is skipped, so the frame sent now is the one whose
    // time it is. (Keeping one frame of slack here left the call a frame
    // behind after each late tick, with the microphone's audio for it still
    // queued: the level control then pulled it out by pitch, 0.3 % sharp
    // on a busy machine.)
    let due = (elapsed.as_micros() / FRAME_TIME.as_micros()) as u64;
    let mut skipped = 0;
    if due > s.sent_frames {
        skipped = due - s.sent_frames;
        s.packetizer.skip((skipped as u32) * FRAME as u32);
        s.sent_frames += skipped;
        far.skipped(skipped);
    }
    if s.pending_dtmf.is_none()
        && s.dtmf_pt.is_some()
        && let Some(key) = s.keys.pop_front()
        && let Some(ev) = dtmf_event(key)
    {
        s.pending_dtmf = Some((ev, 0));
    }
    // A far end's packet longer than 20 ms covers the next ticks too.
    let now_frame = ((elapsed + FRAME_TIME / 2).as_micros() / FRAME_TIME.as_micros()) as u64;
    if s.sent_frames > now_frame {
        return Ok((skipped, Vec::new(), None));
    }
    let first = s.sent_frames == 0;
    let opus = far.sends_opus().then(|| far.speak_opus());
    let spoke = opus.is_none();
    // 20 ms at the far end's rate (at most 48 kHz, so it fits).
    let mut buf = [0i16; FRAME];
    let frame = &mut buf[..frame_len(far.rate())];
    if opus.is_none() {
        far.speak(frame);
    }
    let mut cached_silence = false;
    let packets = match (s.pending_dtmf.as_mut(), s.dtmf_pt) {
        // 100 ms of event, then the end packet three times (RFC 4733 §2.5.1.4).
        (Some((ev, n)), Some(pt)) => {
            *n += 1;
            let end = *n >= 5;
            let duration = (*n * 160) as u16;
            let mut out = Vec::new();
            for i in 0..if end { 3 } else { 1 } {
                let (seq, ts) = s.packetizer.next_same_time();
                let ts = ts.wrapping_sub((*n - 1) * FRAME as u32);
                out.push((
                    pt,
                    *n == 1 && i == 0,
                    seq,
                    ts,
                    Bytes::copy_from_slice(&dtmf_payload(*ev, end, 10, duration)),
                ));
            }
            s.packetizer.skip(FRAME as u32);
            if end {
                s.pending_dtmf = None;
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
                    (s.silence.get_or_encode(s.bitrate)?, FRAME as u32)
                }
                // A far end with nothing to say (the AI between turns, an
                // echo before the caller speaks) gives digital silence:
                // the packet made once, instead of running the encoder.
                None if frame.iter().all(|&x| x == 0) => {
                    cached_silence = true;
                    s.silence.encoder_behind = true;
                    (s.silence.get_or_encode(s.bitrate)?, FRAME as u32)
                }
                None => {
                    if std::mem::take(&mut s.silence.encoder_behind) {
                        s.encoder.reset()?;
                    }
                    (Bytes::from(s.encoder.encode(frame)?), FRAME as u32)
                }
            };
            let (seq, ts) = s.packetizer.next(samples);
            s.sent_frames += u64::from(samples / FRAME as u32).saturating_sub(1);
            vec![(s.opus_pt, first, seq, ts, payload)]
        }
    };
    s.sent_frames += 1;
    // Opus sent as it came is not decoded, so its level is not known here.
    let level = crate::core::audio::level_dbfs(if spoke { frame } else { &[] });
    let out = packets
        .into_iter()
        .map(|(pt, marker, seq, ts, payload)| {
            let dtmf = Some(pt) == s.dtmf_pt;
            let sent = Sent {
                bytes: payload.len() + 12,
                dtmf,
                silence: cached_silence && !dtmf,
            };
            Outgoing {
                packet: rtc::rtp::Packet {
                    header: rtc::rtp::Header {
                        version: 2,
                        marker,
                        payload_type: pt,
                        sequence_number: seq,
                        timestamp: ts,
                        ssrc: s.ssrc,
                        ..Default::default()
                    },
                    payload,
                },
                sent,
            }
        })
        .collect();
    Ok((skipped, out, Some(level)))
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
