//! RTCP for one audio stream each way (RFC 3550 §6): what we sent, what we
//! received, and a compound report (SR or RR, then SDES CNAME) every 5 s.
//! Reports keep a quiet call alive on Meta's side and tell it our loss and
//! jitter.

use crate::core::rtp::{Header, ReceiveStats};
use ::rtc::rtcp::packet::Packet;
use ::rtc::rtcp::receiver_report::ReceiverReport;
use ::rtc::rtcp::reception_report::ReceptionReport;
use ::rtc::rtcp::sender_report::SenderReport;
use ::rtc::rtcp::source_description::{
    SdesType, SourceDescription, SourceDescriptionChunk, SourceDescriptionItem,
};
use bytes::Bytes;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const INTERVAL: Duration = Duration::from_secs(5);
/// Seconds from 1900 (NTP's epoch) to 1970.
const NTP_UNIX: u64 = 2_208_988_800;
const RATE: u64 = 48_000;

pub struct Reports {
    ssrc: u32,
    /// The wall clock at `epoch`: NTP times come from it and the monotonic
    /// clock, so reports read no clock of their own.
    wall: SystemTime,
    epoch: Instant,
    sent_packets: u32,
    sent_octets: u32,
    /// Our last RTP timestamp and when it went.
    last_sent: Option<(u32, Instant)>,
    received: ReceiveStats,
    remote_ssrc: Option<u32>,
    /// At the last report: expected and received, for the fraction lost.
    prior: (u64, u64),
    /// The middle 32 bits of their last SR's NTP time, and when it came.
    their_sr: Option<(u32, Instant)>,
    pub next: Instant,
}

impl Reports {
    pub fn new(ssrc: u32, wall: SystemTime, now: Instant) -> Reports {
        Reports {
            ssrc,
            wall,
            epoch: now,
            sent_packets: 0,
            sent_octets: 0,
            last_sent: None,
            received: ReceiveStats::default(),
            remote_ssrc: None,
            prior: (0, 0),
            their_sr: None,
            next: now + Duration::from_secs(1),
        }
    }

    pub fn sent(&mut self, timestamp: u32, payload: usize, now: Instant) {
        self.sent_packets = self.sent_packets.wrapping_add(1);
        self.sent_octets = self.sent_octets.wrapping_add(payload as u32);
        self.last_sent = Some((timestamp, now));
    }

    pub fn received(&mut self, h: &Header, payload: usize, now: Instant) {
        let arrival = (now - self.epoch).as_micros() as u64 * RATE / 1_000_000;
        self.received.record(h, payload, arrival as i64);
        self.remote_ssrc = Some(h.ssrc);
    }

    /// Their compound RTCP, decrypted: a sender report's time is kept for
    /// our next reception report (LSR, DLSR).
    pub fn their_rtcp(&mut self, mut plain: &[u8], now: Instant) {
        let Ok(packets) = ::rtc::rtcp::packet::unmarshal(&mut plain) else {
            return;
        };
        for p in packets {
            if let Some(sr) = p.as_any().downcast_ref::<SenderReport>() {
                self.their_sr = Some(((sr.ntp_time >> 16) as u32, now));
            }
        }
    }

    fn ntp(&self, now: Instant) -> u64 {
        let t = self.wall + (now - self.epoch);
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = d.as_secs() + NTP_UNIX;
        let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
        (secs << 32) | frac
    }

    /// The compound report due at `now`, unencrypted; the next one is due
    /// [`INTERVAL`] later.
    pub fn report(&mut self, now: Instant) -> Vec<Box<dyn Packet>> {
        self.next = now + INTERVAL;
        let blocks: Vec<ReceptionReport> = self.block(now).into_iter().collect();
        let first: Box<dyn Packet> = match self.last_sent {
            Some((ts, at)) => Box::new(SenderReport {
                ssrc: self.ssrc,
                ntp_time: self.ntp(now),
                rtp_time: ts
                    .wrapping_add(((now - at).as_micros() as u64 * RATE / 1_000_000) as u32),
                packet_count: self.sent_packets,
                octet_count: self.sent_octets,
                reports: blocks,
                profile_extensions: Bytes::new(),
            }),
            None => Box::new(ReceiverReport {
                ssrc: self.ssrc,
                reports: blocks,
                profile_extensions: Bytes::new(),
            }),
        };
        let sdes = SourceDescription {
            chunks: vec![SourceDescriptionChunk {
                source: self.ssrc,
                items: vec![SourceDescriptionItem {
                    sdes_type: SdesType::SdesCname,
                    text: Bytes::from_static(b"wacall"),
                }],
            }],
        };
        vec![first, Box::new(sdes)]
    }

    fn block(&mut self, now: Instant) -> Option<ReceptionReport> {
        let ssrc = self.remote_ssrc?;
        let (expected, received) = (self.received.expected(), self.received.packets);
        let (de, dr) = (
            expected - self.prior.0,
            received.saturating_sub(self.prior.1),
        );
        self.prior = (expected, received);
        let fraction_lost = if de == 0 || dr >= de {
            0
        } else {
            ((de - dr) * 256 / de) as u8
        };
        let (lsr, delay) = match self.their_sr {
            Some((lsr, at)) => (
                lsr,
                ((now - at).as_micros() as u64 * 65536 / 1_000_000) as u32,
            ),
            None => (0, 0),
        };
        Some(ReceptionReport {
            ssrc,
            fraction_lost,
            total_lost: self.received.lost().min(0x7f_ffff) as u32,
            last_sequence_number: self.received.highest_extended(),
            jitter: self.received.jitter_units(),
            last_sender_report: lsr,
            delay,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(sequence: u16, timestamp: u32) -> Header {
        Header {
            has_extension: false,
            marker: false,
            payload_type: 111,
            sequence,
            timestamp,
            ssrc: 99,
            header_len: 12,
        }
    }

    /// After sending and receiving with one packet in ten lost, the report
    /// is an SR with our counts and a block on their stream saying so; with
    /// nothing sent it is an RR. Both carry our CNAME.
    #[test]
    fn a_report_says_what_we_sent_and_what_we_lost_of_theirs() {
        let t0 = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut r = Reports::new(7, wall, t0);
        let rr = r.report(t0);
        assert!(rr[0].as_any().downcast_ref::<ReceiverReport>().is_some());
        for i in 0..100u16 {
            let at = t0 + Duration::from_millis(20 * u64::from(i));
            r.sent(u32::from(i) * 960, 60, at);
            if i % 10 != 3 {
                r.received(&header(1000 + i, u32::from(i) * 960), 60, at);
            }
        }
        let now = t0 + Duration::from_secs(2);
        let packets = r.report(now);
        let sr = packets[0].as_any().downcast_ref::<SenderReport>().unwrap();
        assert_eq!((sr.ssrc, sr.packet_count, sr.octet_count), (7, 100, 6000));
        assert_eq!(sr.ntp_time >> 32, 1_700_000_002 + NTP_UNIX);
        // 99 × 960 at 1.98 s, then 20 ms more at 48 kHz.
        assert_eq!(sr.rtp_time, 99 * 960 + 960);
        let block = &sr.reports[0];
        assert_eq!((block.ssrc, block.last_sequence_number), (99, 1099));
        assert_eq!(block.total_lost, 10);
        assert_eq!(block.fraction_lost, (10 * 256 / 100) as u8);
        let sdes = packets[1]
            .as_any()
            .downcast_ref::<SourceDescription>()
            .unwrap();
        assert_eq!(&sdes.chunks[0].items[0].text[..], b"wacall");
        assert_eq!(r.next, now + INTERVAL);
    }
}
