//! Moving audio in real time over one RTP track, between the network and a
//! far end: 20 ms Opus frames out, paced (one SSRC, timestamps that follow
//! the wall clock without bursts, RFC 4733 DTMF in the same stream), and
//! everything that comes in decoded for the far end. Both sides of a call,
//! the bridge and the simulated WhatsApp, run this same loop.

use crate::core::audio::JitterStats;
use crate::io::farend::{FarEnd, Note};
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

mod core;
mod send;
mod source;

pub use core::MediaCore;
pub use send::{Outgoing, Sent, Silence};
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

/// The media loop of one call over webrtc-rs's tracks: every 20 ms (once
/// `start` is true) the far end's next frame goes out on `track`; every
/// packet that comes in on the tracks is handed to the far end. Runs until
/// `stop` is true. The work is [`MediaCore`]'s; this only moves packets.
#[allow(clippy::too_many_arguments)]
pub async fn run_media(
    cfg: MediaConfig,
    track: Arc<TrackLocalStaticRTP>,
    far: Box<dyn FarEnd>,
    mut tracks: mpsc::UnboundedReceiver<Arc<dyn TrackRemote>>,
    mut start: watch::Receiver<bool>,
    mut stop: watch::Receiver<bool>,
    mut dtmf: mpsc::UnboundedReceiver<char>,
    stats: Arc<Mutex<MediaStats>>,
) -> anyhow::Result<()> {
    let mut core = MediaCore::new(&cfg, far, stats, Instant::now())?;
    // Every track's packets, polled by this task itself: a reader task per
    // track cost one more wake-up and channel hop for every packet.
    let mut incoming = SelectAll::new();
    let mut ticker = tokio::time::interval(FRAME_TIME);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let (mut dtmf_open, mut start_open) = (true, true);
    loop {
        let started = core.started();
        tokio::select! {
            _ = ticker.tick(), if started => {
                let now = Instant::now();
                for Outgoing { packet, sent } in core.tick(now)? {
                    let result = track.write_rtp(packet).await.map_err(|e| e.to_string());
                    core.sent(sent, result, Instant::now());
                }
            }
            Some(t) = tracks.recv() => {
                incoming.push(track_packets(t));
            }
            Some((at, p)) = incoming.next(), if !incoming.is_empty() => core.receive(&p, at),
            key = dtmf.recv(), if dtmf_open => match key {
                Some(k) => core.press(k),
                None => dtmf_open = false,
            },
            r = start.changed(), if !started && start_open => {
                if r.is_err() {
                    // No one will ever say go: wait for stop alone.
                    start_open = false;
                    continue;
                }
                if *start.borrow() {
                    core.start(Instant::now());
                    ticker.reset_immediately();
                }
            }
            r = stop.changed() => {
                if r.is_err() || *stop.borrow() {
                    core.finish();
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

#[cfg(test)]
mod tests;
