//! Moving audio in real time over one RTP track, between the network and a
//! far end: 20 ms Opus frames out, paced (one SSRC, timestamps that follow
//! the wall clock without bursts, RFC 4733 DTMF in the same stream), and
//! everything that comes in decoded for the far end. Both sides of a call,
//! the bridge and the simulated WhatsApp, run this same loop.

use crate::core::audio::{
    AudioIn, Decoder, Encoder, FRAME, JitterBuffer, JitterStats, Playout, RATE,
};
use crate::core::rtp::Packetizer;
use crate::io::farend::{FarEnd, Note, OpusPacket};
use futures_util::stream::{SelectAll, Stream, StreamExt};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

pub use crate::io::wav::{read_wav, write_wav, write_wav_stereo};

pub const FRAME_TIME: Duration = Duration::from_millis(20);

mod send;
mod source;

pub use send::Silence;
use send::send_tick;
pub use source::Source;

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
    /// The encoder's complexity (0-10).
    pub complexity: i32,
    /// Decode what comes in only for this long after the first packet, then
    /// count it without decoding (a light simulated caller: what it heard is
    /// analysed from that window, loss and jitter from every packet).
    pub decode_for: Option<Duration>,
    /// The other side renders no more than this many samples a second
    /// (its `maxplaybackrate`): nothing above it is coded.
    pub playback_hz: Option<u32>,
}

/// The call's encoder, as its configuration says, fed at `rate`.
fn encoder(cfg: &MediaConfig, rate: u32) -> anyhow::Result<Encoder> {
    let mut encoder = Encoder::at_rate(cfg.bitrate, rate)?;
    encoder.set_complexity(cfg.complexity)?;
    if let Some(hz) = cfg.playback_hz {
        encoder.limit_to_playback_rate(hz)?;
    }
    Ok(encoder)
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
    // The codec converts to and from the far end's rate: no resampler.
    let rate = far.rate();
    let mut encoder = encoder(&cfg, rate)?;
    let mut silence = Silence::default();
    let mut audio_in = AudioIn::new(cfg.opus_pt, cfg.dtmf_pt, rate)?;
    let mut packetizer = Packetizer::new(cfg.ssrc, rand::random(), rand::random());
    // Every track's packets, polled by this task itself: a reader task per
    // track cost one more wake-up and channel hop for every packet.
    let mut incoming = SelectAll::new();
    let mut ticker = tokio::time::interval(FRAME_TIME);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut began: Option<Instant> = None;
    let mut sent_frames: u64 = 0;
    let mut played: u64 = 0;
    let mut pending_dtmf: Option<(u8, u32)> = None;
    let mut decoded = Vec::with_capacity(FRAME * 2);
    let mut first_in: Option<Instant> = None;
    let epoch = Instant::now();
    // A far end that plays in real time gets the caller's audio through a
    // jitter buffer, one frame per tick; the others get each packet at once.
    let mut jitter = match far.jitter_buffer() {
        Some(c) => Some((JitterBuffer::new(c), Decoder::at_rate(rate)?)),
        None => None,
    };
    // A passthrough far end takes the caller's Opus as it came.
    let passthrough = far.passthrough();
    loop {
        let started = began.is_some();
        tokio::select! {
            _ = ticker.tick(), if started => {
                if let Some((jb, dec)) = jitter.as_mut() {
                    // A late tick plays the frames it missed too: the device
                    // kept playing meanwhile.
                    let due = frames_due(began.unwrap_or(epoch).elapsed(), played);
                    for _ in 0..due.min(MAX_CATCH_UP) {
                        play_out(jb, dec, far.as_mut(), &mut decoded, &stats);
                    }
                    played += due;
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

/// The most frames a late tick plays out to catch up (100 ms); beyond it
/// the time is let go, and the jitter buffer trims what it then holds.
const MAX_CATCH_UP: u64 = 5;

/// Frames whose playout time has come, `elapsed` after the first was due,
/// with `done` played already.
fn frames_due(elapsed: Duration, done: u64) -> u64 {
    let due = (elapsed.as_micros() / FRAME_TIME.as_micros()) as u64 + 1;
    due.saturating_sub(done)
}

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

#[cfg(test)]
mod tests;
