//! Moving audio in real time over one RTP track: a paced sender (20 ms
//! frames, one SSRC, timestamps that follow the wall clock without bursts,
//! RFC 4733 DTMF in the same stream) and a receiver that decodes into a
//! recording. Both sides of a call use these.

use crate::core::audio::{AudioIn, Encoder, FRAME, RATE, Tone};
use crate::core::rtp::{Packetizer, dtmf_event, dtmf_payload};
use anyhow::{Context, bail};
use bytes::Bytes;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

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
            Source::Silence => [0; FRAME],
        }
    }
}

/// Reads a WAV file as 48 kHz mono 16-bit samples (stereo is mixed down).
pub fn read_wav(path: &Path) -> anyhow::Result<Vec<i16>> {
    let reader = hound::WavReader::open(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let spec = reader.spec();
    if spec.sample_rate != RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        bail!(
            "`{}` is {} Hz {}-bit; wacall plays 48000 Hz 16-bit PCM (convert with `sox in.wav -r 48000 -b 16 -c 1 out.wav`)",
            path.display(),
            spec.sample_rate,
            spec.bits_per_sample
        );
    }
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<i16> = reader.into_samples::<i16>().collect::<Result<_, _>>()?;
    Ok(samples
        .chunks(channels)
        .map(|c| (c.iter().map(|&s| i32::from(s)).sum::<i32>() / channels as i32) as i16)
        .collect())
}

/// Writes 48 kHz mono 16-bit samples, atomically (temporary file, then rename).
pub fn write_wav(path: &Path, samples: &[i16]) -> anyhow::Result<()> {
    let tmp = path.with_extension("wav.tmp");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&tmp, spec)
        .with_context(|| format!("cannot write `{}`", tmp.display()))?;
    for &s in samples {
        w.write_sample(s)?;
    }
    w.finalize()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// Counters of what a sender did.
#[derive(Debug, Clone, Default)]
pub struct SentStats {
    pub packets: u64,
    pub bytes: u64,
    pub dtmf_packets: u64,
    pub skipped_frames: u64,
    pub first_packet: Option<Instant>,
    pub write_errors: u64,
    pub last_error: Option<String>,
}

pub struct SenderConfig {
    pub track: Arc<TrackLocalStaticRTP>,
    pub ssrc: u32,
    pub opus_pt: u8,
    pub dtmf_pt: Option<u8>,
    pub bitrate: i32,
}

/// Sends 20 ms Opus frames from `source` while `start` is true, until `stop`
/// is true. `dtmf` queues keys to send as RFC 4733 events.
pub async fn run_sender(
    cfg: SenderConfig,
    mut source: Source,
    mut start: watch::Receiver<bool>,
    mut stop: watch::Receiver<bool>,
    mut dtmf: mpsc::UnboundedReceiver<char>,
    stats: Arc<Mutex<SentStats>>,
) -> anyhow::Result<()> {
    let mut encoder = Encoder::new(cfg.bitrate)?;
    let mut packetizer = Packetizer::new(cfg.ssrc, rand::random(), rand::random());
    // Wait for the go (accept, maiden packet...) or the end.
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        if *start.borrow() {
            break;
        }
        tokio::select! {
            _ = start.changed() => {}
            _ = stop.changed() => {}
        }
    }
    let began = Instant::now();
    let mut sent_frames: u64 = 0;
    let mut pending_dtmf: Option<(u8, u32)> = None; // event, frames sent so far
    let mut first = true;
    let mut ticker = tokio::time::interval(FRAME_TIME);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.changed() => if *stop.borrow() { return Ok(()) },
        }
        // Timestamps follow the wall clock: a late tick skips frames instead of bursting.
        let due = (began.elapsed().as_micros() / FRAME_TIME.as_micros()) as u64;
        if due > sent_frames + 1 {
            let missed = due - sent_frames - 1;
            packetizer.skip((missed as u32) * FRAME as u32);
            sent_frames += missed;
            stats.lock().unwrap().skipped_frames += missed;
        }
        if pending_dtmf.is_none()
            && let (Ok(key), Some(_)) = (dtmf.try_recv(), cfg.dtmf_pt)
            && let Some(ev) = dtmf_event(key)
        {
            pending_dtmf = Some((ev, 0));
        }
        let packets = match (&mut pending_dtmf, cfg.dtmf_pt) {
            // 100 ms tone, then the end packet three times (RFC 4733 §2.5.1.4).
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
                    pending_dtmf = None;
                }
                out
            }
            _ => {
                let payload = encoder.encode(&source.frame())?;
                let (seq, ts) = packetizer.next(FRAME as u32);
                vec![(cfg.opus_pt, first, seq, ts, Bytes::from(payload))]
            }
        };
        first = false;
        sent_frames += 1;
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
                    s.packets += 1;
                    s.bytes += len as u64;
                    s.dtmf_packets += u64::from(is_dtmf);
                    s.first_packet.get_or_insert_with(Instant::now);
                }
                Err(e) => {
                    s.write_errors += 1;
                    s.last_error = Some(e.to_string());
                }
            }
        }
    }
}

/// What a receiver heard.
#[derive(Debug, Default)]
pub struct Heard {
    pub samples: Vec<i16>,
    pub first_packet: Option<Instant>,
    pub packets: u64,
    pub concealed: u64,
    pub digits: String,
    pub decode_errors: u64,
    /// Level of the last 20 ms, for meters.
    pub last_level_dbfs: f64,
}

/// Keeps at most this much decoded audio (10 minutes).
const MAX_SAMPLES: usize = RATE as usize * 600;

/// Decodes a remote track into `heard` until the track ends.
pub async fn run_receiver(
    track: Arc<dyn TrackRemote>,
    opus_pt: u8,
    dtmf_pt: Option<u8>,
    heard: Arc<Mutex<Heard>>,
) -> anyhow::Result<()> {
    let mut rx = AudioIn::new(opus_pt, dtmf_pt)?;
    let mut buf = Vec::with_capacity(FRAME * 2);
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(p) = event else {
            continue;
        };
        buf.clear();
        let r = rx.push(
            p.header.payload_type,
            p.header.sequence_number,
            p.header.timestamp,
            &p.payload,
            &mut buf,
        );
        let mut h = heard.lock().unwrap();
        h.first_packet.get_or_insert_with(Instant::now);
        h.packets = rx.packets;
        h.concealed = rx.concealed;
        if r.is_err() {
            h.decode_errors += 1;
        }
        if !buf.is_empty() {
            h.last_level_dbfs = crate::core::audio::level_dbfs(&buf);
            if h.samples.len() + buf.len() <= MAX_SAMPLES {
                h.samples.extend_from_slice(&buf);
            }
        }
        if h.digits != rx.digits {
            h.digits = rx.digits.clone();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trip_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tone.wav");
        let mut tone = Tone::new(440.0, 0.3);
        let samples: Vec<i16> = (0..10).flat_map(|_| tone.frame()).collect();
        write_wav(&path, &samples).unwrap();
        assert_eq!(read_wav(&path).unwrap(), samples);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let slow = dir.path().join("slow.wav");
        hound::WavWriter::create(&slow, spec)
            .unwrap()
            .finalize()
            .unwrap();
        let e = read_wav(&slow).unwrap_err().to_string();
        assert!(e.contains("8000 Hz") && e.contains("sox"), "{e}");
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
}
