//! The media loop as a state machine: no sockets, no tasks, no clock reads.
//! Whoever drives it (webrtc-rs's tracks in `run_media`, or a driver that
//! owns the connection) says what time it is, hands it every RTP packet
//! that came in, and sends the packets each 20 ms tick gives back.

use super::send::{Outgoing, Sent, Silence, send_tick};
use super::{FRAME_TIME, MediaConfig, MediaStats};
use crate::core::audio::{AudioIn, Decoder, Encoder, FRAME, JitterBuffer, Playout, RATE};
use crate::core::rtp::Packetizer;
use crate::io::farend::{FarEnd, OpusPacket};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most frames a late tick plays out to catch up (100 ms); beyond it
/// the time is let go, and the jitter buffer trims what it then holds.
const MAX_CATCH_UP: u64 = 5;

/// What the sending half keeps between ticks.
pub(super) struct Sending {
    pub encoder: Encoder,
    pub silence: Silence,
    pub packetizer: Packetizer,
    pub sent_frames: u64,
    pub pending_dtmf: Option<(u8, u32)>,
    pub keys: VecDeque<char>,
    pub ssrc: u32,
    pub opus_pt: u8,
    pub dtmf_pt: Option<u8>,
    pub bitrate: i32,
}

pub struct MediaCore {
    far: Box<dyn FarEnd>,
    send: Sending,
    audio_in: AudioIn,
    /// A far end that plays in real time gets the caller's audio through a
    /// jitter buffer, one frame per tick; the others get each packet at once.
    jitter: Option<(JitterBuffer, Decoder)>,
    /// A passthrough far end takes the caller's Opus as it came.
    passthrough: bool,
    opus_pt: u8,
    decode_for: Option<Duration>,
    began: Option<Instant>,
    played: u64,
    decoded: Vec<i16>,
    first_in: Option<Instant>,
    epoch: Instant,
    stats: Arc<Mutex<MediaStats>>,
}

/// The call's encoder, as its configuration says, fed at `rate`.
pub(super) fn encoder(cfg: &MediaConfig, rate: u32) -> anyhow::Result<Encoder> {
    let mut encoder = Encoder::at_rate(cfg.bitrate, rate)?;
    encoder.set_complexity(cfg.complexity)?;
    if let Some(hz) = cfg.playback_hz {
        encoder.limit_to_playback_rate(hz)?;
    }
    Ok(encoder)
}

impl MediaCore {
    pub fn new(
        cfg: &MediaConfig,
        far: Box<dyn FarEnd>,
        stats: Arc<Mutex<MediaStats>>,
        now: Instant,
    ) -> anyhow::Result<MediaCore> {
        // The codec converts to and from the far end's rate: no resampler.
        let rate = far.rate();
        let jitter = match far.jitter_buffer() {
            Some(c) => Some((JitterBuffer::new(c), Decoder::at_rate(rate)?)),
            None => None,
        };
        Ok(MediaCore {
            send: Sending {
                encoder: encoder(cfg, rate)?,
                silence: Silence::default(),
                packetizer: Packetizer::new(cfg.ssrc, rand::random(), rand::random()),
                sent_frames: 0,
                pending_dtmf: None,
                keys: VecDeque::new(),
                ssrc: cfg.ssrc,
                opus_pt: cfg.opus_pt,
                dtmf_pt: cfg.dtmf_pt,
                bitrate: cfg.bitrate,
            },
            audio_in: AudioIn::new(cfg.opus_pt, cfg.dtmf_pt, rate)?,
            jitter,
            passthrough: far.passthrough(),
            opus_pt: cfg.opus_pt,
            decode_for: cfg.decode_for,
            far,
            began: None,
            played: 0,
            decoded: Vec::with_capacity(FRAME * 2),
            first_in: None,
            epoch: now,
            stats,
        })
    }

    pub fn started(&self) -> bool {
        self.began.is_some()
    }

    /// Media may flow: the first tick is due now, and a far end that greets
    /// the caller starts.
    pub fn start(&mut self, now: Instant) {
        if self.began.is_none() {
            self.began = Some(now);
            self.far.start();
        }
    }

    /// A DTMF key to send, after any already queued.
    pub fn press(&mut self, key: char) {
        self.send.keys.push_back(key);
    }

    /// One 20 ms tick: playout through the jitter buffer (the frames a late
    /// tick missed too), then the far end's next frame as RTP to send.
    pub fn tick(&mut self, now: Instant) -> anyhow::Result<Vec<Outgoing>> {
        let Some(began) = self.began else {
            return Ok(Vec::new());
        };
        if self.jitter.is_some() {
            // A late tick plays the frames it missed too: the device kept
            // playing meanwhile.
            let due = frames_due(now.saturating_duration_since(began), self.played);
            for _ in 0..due.min(MAX_CATCH_UP) {
                self.play_out(now);
            }
            self.played += due;
        }
        let (skipped, out, level) = send_tick(&mut self.send, self.far.as_mut(), began, now)?;
        let notes = self.far.notes();
        let failure = self.far.failure();
        let mut s = self.stats.lock().unwrap();
        if let Some(level) = level {
            s.level_out_dbfs = level;
        }
        s.skipped_frames += skipped;
        s.notes.extend(notes);
        if s.far_failure.is_none() {
            s.far_failure = failure;
        }
        Ok(out)
    }

    /// What became of a packet [`MediaCore::tick`] gave: sent at `now`, or
    /// refused with why.
    pub fn sent(&mut self, p: Sent, result: Result<(), String>, now: Instant) {
        let mut s = self.stats.lock().unwrap();
        match result {
            Ok(()) => {
                s.sent_packets += 1;
                s.sent_bytes += p.bytes as u64;
                s.sent_dtmf_packets += u64::from(p.dtmf);
                s.sent_silence += u64::from(p.silence);
                s.first_sent.get_or_insert(now);
            }
            Err(e) => {
                s.write_errors += 1;
                s.last_error = Some(e);
            }
        }
    }

    /// An RTP packet that arrived at `at`.
    pub fn receive(&mut self, p: &rtc::rtp::Packet, at: Instant) {
        self.decoded.clear();
        let pt = p.header.payload_type;
        let forwarded = self.passthrough && pt == self.opus_pt;
        if forwarded {
            self.far.hear_opus(OpusPacket {
                ssrc: p.header.ssrc,
                sequence: p.header.sequence_number,
                timestamp: p.header.timestamp,
                payload: p.payload.clone(),
                at,
            });
        }
        let buffered = forwarded
            || match self.jitter.as_mut() {
                Some((jb, _)) if pt == self.opus_pt => {
                    let ms = at.saturating_duration_since(self.epoch).as_secs_f64() * 1000.0;
                    jb.push(p.header.sequence_number, p.header.timestamp, &p.payload, ms);
                    true
                }
                _ => false,
            };
        let first = *self.first_in.get_or_insert(at);
        let deaf = self
            .decode_for
            .is_some_and(|d| at.saturating_duration_since(first) > d)
            && pt == self.opus_pt;
        let r = if buffered || deaf {
            Ok(())
        } else {
            self.audio_in.push(
                pt,
                p.header.sequence_number,
                p.header.timestamp,
                &p.payload,
                &mut self.decoded,
            )
        };
        if !self.decoded.is_empty() {
            self.far.hear(&self.decoded, at);
        }
        let mut s = self.stats.lock().unwrap();
        s.first_received.get_or_insert(at);
        s.last_received = Some(at);
        s.received_packets += 1;
        s.undecoded_packets += u64::from(deaf);
        s.received_bytes += (p.payload.len() + 12) as u64;
        if let Some((jb, _)) = &self.jitter {
            s.jitter = Some(jb.stats);
        } else {
            s.concealed_frames = self.audio_in.concealed;
            s.late_packets = self.audio_in.late;
        }
        s.decode_errors += u64::from(r.is_err());
        if !self.decoded.is_empty() {
            s.level_in_dbfs = crate::core::audio::level_dbfs(&self.decoded);
        }
        let h = crate::core::rtp::Header {
            marker: p.header.marker,
            payload_type: pt,
            sequence: p.header.sequence_number,
            timestamp: p.header.timestamp,
            ssrc: p.header.ssrc,
            header_len: 12,
            has_extension: false,
        };
        let arrival =
            (at.saturating_duration_since(self.epoch).as_secs_f64() * f64::from(RATE)) as i64;
        s.rx.record(&h, p.payload.len() + 12, arrival);
        if self.audio_in.digits.len() > s.digits.len() {
            let new: String = self.audio_in.digits[s.digits.len()..].to_string();
            s.digits.push_str(&new);
            drop(s);
            for k in new.chars() {
                self.far.key(k);
            }
        }
    }

    /// The call is over: the far end's last notes and its summary.
    pub fn finish(&mut self) {
        let notes = self.far.notes();
        let mut s = self.stats.lock().unwrap();
        s.notes.extend(notes);
        s.far_summary = self.far.summary();
    }

    /// One 20 ms tick of playout through the jitter buffer: a frame decoded,
    /// concealed, or nothing while it fills.
    fn play_out(&mut self, now: Instant) {
        let Some((jb, dec)) = self.jitter.as_mut() else {
            return;
        };
        self.decoded.clear();
        let r = match jb.pop() {
            Playout::Frame(p) => dec.decode(&p, &mut self.decoded).map(|_| ()),
            Playout::Conceal { fec } => dec.conceal(fec.as_deref(), &mut self.decoded).map(|_| ()),
            Playout::Wait => Ok(()),
        };
        if !self.decoded.is_empty() {
            self.far.hear(&self.decoded, now);
        }
        let mut s = self.stats.lock().unwrap();
        s.decode_errors += u64::from(r.is_err());
        s.concealed_frames = jb.stats.concealed;
        s.late_packets = jb.stats.late;
        s.jitter = Some(jb.stats);
        if !self.decoded.is_empty() {
            s.level_in_dbfs = crate::core::audio::level_dbfs(&self.decoded);
        }
    }
}

/// Frames whose playout time has come, `elapsed` after the first was due,
/// with `done` played already.
pub(super) fn frames_due(elapsed: Duration, done: u64) -> u64 {
    let due = (elapsed.as_micros() / FRAME_TIME.as_micros()) as u64 + 1;
    due.saturating_sub(done)
}
