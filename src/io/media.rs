//! Moving audio in real time over one RTP track, between the network and a
//! far end: 20 ms Opus frames out, paced (one SSRC, timestamps that follow
//! the wall clock without bursts, RFC 4733 DTMF in the same stream), and
//! everything that comes in decoded for the far end. Both sides of a call,
//! the bridge and the simulated WhatsApp, run this same loop.

use crate::core::audio::{
    AudioIn, Decoder, Encoder, FRAME, JitterBuffer, JitterStats, Playout, RATE, Tone,
};
use crate::core::rtp::{Packetizer, dtmf_event, dtmf_payload};
use crate::io::farend::{FarEnd, Note, OpusPacket};
use bytes::Bytes;
use futures_util::stream::{SelectAll, Stream, StreamExt};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

pub use crate::io::wav::{read_wav, write_wav, write_wav_stereo};

pub const FRAME_TIME: Duration = Duration::from_millis(20);

/// What a side sends when it has nothing of its own.
#[derive(Debug, Clone)]
pub enum Source {
    Tone(Tone),
    /// 48 kHz mono samples, looped.
    Samples {
        data: Arc<Vec<i16>>,
        pos: usize,
    },
    /// Opus packets made once and looped (`sim --light`), so one machine
    /// can play many callers without encoding for each.
    Encoded {
        packets: Arc<Vec<Bytes>>,
        pos: usize,
    },
    Silence,
}

impl Source {
    pub fn frame(&mut self) -> [i16; FRAME] {
        match self {
            Source::Tone(t) => t.frame(),
            Source::Samples { data, pos } => {
                let mut out = [0i16; FRAME];
                if !data.is_empty() {
                    for s in out.iter_mut() {
                        *s = data[*pos];
                        *pos = (*pos + 1) % data.len();
                    }
                }
                out
            }
            Source::Encoded { .. } | Source::Silence => [0; FRAME],
        }
    }

    /// `frames` 20 ms frames of this source, encoded once, to be looped.
    pub fn pre_encoded(mut self, frames: usize, bitrate: i32) -> anyhow::Result<Source> {
        let mut enc = Encoder::new(bitrate)?;
        let packets = (0..frames.max(1))
            .map(|_| enc.encode(&self.frame()).map(Bytes::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Source::Encoded {
            packets: Arc::new(packets),
            pos: 0,
        })
    }

    /// How many 20 ms frames to encode for a looped light source: a file
    /// whole (up to a minute, so turns and pauses survive), anything else one second.
    pub fn loop_frames(&self) -> usize {
        match self {
            Source::Samples { data, .. } => data.len().div_ceil(FRAME).clamp(1, 3000),
            _ => 50,
        }
    }

    pub fn is_pre_encoded(&self) -> bool {
        matches!(self, Source::Encoded { .. })
    }

    /// The next looped packet, for a pre-encoded source.
    pub fn next_packet(&mut self) -> Option<Bytes> {
        match self {
            Source::Encoded { packets, pos } if !packets.is_empty() => {
                let p = packets[*pos].clone();
                *pos = (*pos + 1) % packets.len();
                Some(p)
            }
            _ => None,
        }
    }
}

/// What a media loop measured; shared so a live view and a report can read it.
#[derive(Debug, Clone, Default)]
pub struct MediaStats {
    pub sent_packets: u64,
    pub sent_bytes: u64,
    pub sent_dtmf_packets: u64,
    /// Frames sent as the silence packet made once, not encoded.
    pub sent_silence: u64,
    /// Frames skipped because a tick came late (the clock moves on, no bursts).
    pub skipped_frames: u64,
    pub write_errors: u64,
    pub last_error: Option<String>,
    pub first_sent: Option<Instant>,
    pub received_packets: u64,
    pub received_bytes: u64,
    /// Opus packets counted but not decoded (past [`MediaConfig::decode_for`]).
    pub undecoded_packets: u64,
    pub concealed_frames: u64,
    pub late_packets: u64,
    pub decode_errors: u64,
    pub first_received: Option<Instant>,
    pub last_received: Option<Instant>,
    /// DTMF keys the other side pressed.
    pub digits: String,
    /// Level of the last 20 ms each way, for meters.
    pub level_in_dbfs: f64,
    pub level_out_dbfs: f64,
    /// Loss and jitter of what came in (RFC 3550).
    pub rx: crate::core::rtp::ReceiveStats,
    /// Notes from the far end, oldest first, for whoever prints them.
    pub notes: Vec<Note>,
    /// Why the far end cannot go on, once it cannot.
    pub far_failure: Option<String>,
    /// The far end's own report, taken when the loop stops.
    pub far_summary: Option<serde_json::Value>,
    /// The jitter buffer's counters, when the far end plays through one.
    pub jitter: Option<JitterStats>,
}

pub struct MediaConfig {
    pub track: Arc<TrackLocalStaticRTP>,
    pub ssrc: u32,
    pub opus_pt: u8,
    pub dtmf_pt: Option<u8>,
    pub bitrate: i32,
    /// Decode what comes in only for this long after the first packet, then
    /// count it without decoding (a light simulated caller: what it heard is
    /// analysed from that window, loss and jitter from every packet).
    pub decode_for: Option<Duration>,
    /// The other side renders no more than this many samples a second
    /// (its `maxplaybackrate`): nothing above it is coded.
    pub playback_hz: Option<u32>,
}

/// The media loop of one call: every 20 ms (once `start` is true) the far
/// end's next frame goes out as Opus RTP; every packet that comes in is
/// decoded and handed to the far end. Runs until `stop` is true.
pub async fn run_media(
    cfg: MediaConfig,
    mut far: Box<dyn FarEnd>,
    mut tracks: mpsc::UnboundedReceiver<Arc<dyn TrackRemote>>,
    mut start: watch::Receiver<bool>,
    mut stop: watch::Receiver<bool>,
    mut dtmf: mpsc::UnboundedReceiver<char>,
    stats: Arc<Mutex<MediaStats>>,
) -> anyhow::Result<()> {
    let mut encoder = Encoder::new(cfg.bitrate)?;
    if let Some(hz) = cfg.playback_hz {
        encoder.limit_to_playback_rate(hz)?;
    }
    let mut silence = Silence::default();
    let mut audio_in = AudioIn::new(cfg.opus_pt, cfg.dtmf_pt)?;
    let mut packetizer = Packetizer::new(cfg.ssrc, rand::random(), rand::random());
    // Every track's packets, polled by this task itself: a reader task per
    // track cost one more wake-up and channel hop for every packet.
    let mut incoming = SelectAll::new();
    let mut ticker = tokio::time::interval(FRAME_TIME);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut began: Option<Instant> = None;
    let mut sent_frames: u64 = 0;
    let mut pending_dtmf: Option<(u8, u32)> = None;
    let mut decoded = Vec::with_capacity(FRAME * 2);
    let mut first_in: Option<Instant> = None;
    let epoch = Instant::now();
    // A far end that plays in real time gets the caller's audio through a
    // jitter buffer, one frame per tick; the others get each packet at once.
    let mut jitter = match far.jitter_buffer() {
        Some(c) => Some((JitterBuffer::new(c), Decoder::new()?)),
        None => None,
    };
    // A passthrough far end takes the caller's Opus as it came.
    let passthrough = far.passthrough();
    loop {
        let started = began.is_some();
        tokio::select! {
            _ = ticker.tick(), if started => {
                if let Some((jb, dec)) = jitter.as_mut() {
                    play_out(jb, dec, far.as_mut(), &mut decoded, &stats);
                }
                let frames = send_tick(&cfg, far.as_mut(), &mut encoder, &mut silence, &mut packetizer, &mut pending_dtmf, &mut dtmf, began.unwrap_or(epoch), &mut sent_frames, &stats).await?;
                let notes = far.notes();
                let failure = far.failure();
                let mut s = stats.lock().unwrap();
                s.skipped_frames += frames;
                s.notes.extend(notes);
                if s.far_failure.is_none() {
                    s.far_failure = failure;
                }
            }
            Some(track) = tracks.recv() => {
                incoming.push(track_packets(track));
            }
            Some((at, p)) = incoming.next(), if !incoming.is_empty() => {
                decoded.clear();
                let forwarded = passthrough && p.header.payload_type == cfg.opus_pt;
                if forwarded {
                    far.hear_opus(OpusPacket {
                        ssrc: p.header.ssrc,
                        sequence: p.header.sequence_number,
                        timestamp: p.header.timestamp,
                        payload: p.payload.clone(),
                        at,
                    });
                }
                let buffered = forwarded || match jitter.as_mut() {
                    Some((jb, _)) if p.header.payload_type == cfg.opus_pt => {
                        let ms = at.saturating_duration_since(epoch).as_secs_f64() * 1000.0;
                        jb.push(p.header.sequence_number, p.header.timestamp, &p.payload, ms);
                        true
                    }
                    _ => false,
                };
                let first = *first_in.get_or_insert(at);
                let deaf = cfg.decode_for.is_some_and(|d| at.saturating_duration_since(first) > d)
                    && p.header.payload_type == cfg.opus_pt;
                let r = if buffered || deaf {
                    Ok(())
                } else {
                    audio_in.push(p.header.payload_type, p.header.sequence_number, p.header.timestamp, &p.payload, &mut decoded)
                };
                if !decoded.is_empty() {
                    far.hear(&decoded, at);
                }
                let mut s = stats.lock().unwrap();
                s.first_received.get_or_insert(at);
                s.last_received = Some(at);
                s.received_packets += 1;
                s.undecoded_packets += u64::from(deaf);
                s.received_bytes += (p.payload.len() + 12) as u64;
                if let Some((jb, _)) = &jitter {
                    s.jitter = Some(jb.stats);
                } else {
                    s.concealed_frames = audio_in.concealed;
                    s.late_packets = audio_in.late;
                }
                s.decode_errors += u64::from(r.is_err());
                if !decoded.is_empty() {
                    s.level_in_dbfs = crate::core::audio::level_dbfs(&decoded);
                }
                let h = crate::core::rtp::Header {
                    marker: p.header.marker,
                    payload_type: p.header.payload_type,
                    sequence: p.header.sequence_number,
                    timestamp: p.header.timestamp,
                    ssrc: p.header.ssrc,
                    header_len: 12,
                    has_extension: false,
                };
                let arrival = (at.saturating_duration_since(epoch).as_secs_f64() * f64::from(RATE)) as i64;
                s.rx.record(&h, p.payload.len() + 12, arrival);
                if audio_in.digits.len() > s.digits.len() {
                    let new: String = audio_in.digits[s.digits.len()..].to_string();
                    s.digits.push_str(&new);
                    drop(s);
                    for k in new.chars() {
                        far.key(k);
                    }
                }
            }
            r = start.changed(), if !started => {
                if r.is_err() {
                    // No one will ever say go: wait for stop alone.
                    start = watch::channel(false).1;
                    continue;
                }
                if *start.borrow() {
                    began = Some(Instant::now());
                    far.start();
                    ticker.reset_immediately();
                }
            }
            r = stop.changed() => {
                if r.is_err() || *stop.borrow() {
                    let notes = far.notes();
                    let mut s = stats.lock().unwrap();
                    s.notes.extend(notes);
                    s.far_summary = far.summary();
                    return Ok(());
                }
            }
        }
    }
}

/// A remote track's RTP packets with their arrival times, until it ends.
fn track_packets(track: Arc<dyn TrackRemote>) -> Pin<Box<dyn Stream<Item = Arrival> + Send>> {
    Box::pin(futures_util::stream::unfold(track, |track| async move {
        loop {
            if let TrackRemoteEvent::OnRtpPacket(p) = track.poll().await? {
                return Some(((Instant::now(), p), track));
            }
        }
    }))
}

type Arrival = (Instant, rtc::rtp::Packet);

/// One 20 ms tick of playout through the jitter buffer: a frame decoded,
/// concealed, or nothing while it fills.
fn play_out(
    jb: &mut JitterBuffer,
    dec: &mut Decoder,
    far: &mut dyn FarEnd,
    decoded: &mut Vec<i16>,
    stats: &Arc<Mutex<MediaStats>>,
) {
    decoded.clear();
    let r = match jb.pop() {
        Playout::Frame(p) => dec.decode(&p, decoded).map(|_| ()),
        Playout::Conceal { fec } => dec.conceal(fec.as_deref(), decoded).map(|_| ()),
        Playout::Wait => Ok(()),
    };
    if !decoded.is_empty() {
        far.hear(decoded, Instant::now());
    }
    let mut s = stats.lock().unwrap();
    s.decode_errors += u64::from(r.is_err());
    s.concealed_frames = jb.stats.concealed;
    s.late_packets = jb.stats.late;
    s.jitter = Some(jb.stats);
    if !decoded.is_empty() {
        s.level_in_dbfs = crate::core::audio::level_dbfs(decoded);
    }
}

/// One 20 ms tick: the far end's frame (or a DTMF event packet) out.
/// Returns how many frames were skipped because the tick came late.
#[allow(clippy::too_many_arguments)]
async fn send_tick(
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
    let frame = match opus {
        Some(_) => [0; FRAME],
        None => far.speak(),
    };
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
                    (Bytes::from(encoder.encode(&frame)?), FRAME as u32)
                }
            };
            let (seq, ts) = packetizer.next(samples);
            *sent_frames += u64::from(samples / FRAME as u32).saturating_sub(1);
            vec![(cfg.opus_pt, first, seq, ts, payload)]
        }
    };
    *sent_frames += 1;
    // Opus sent as it came is not decoded, so its level is not known here.
    let level = crate::core::audio::level_dbfs(if spoke { &frame[..] } else { &[] });
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

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
