//! One incoming audio stream turned back into samples: Opus decoded in
//! sequence order, gaps concealed (in-band FEC from the next packet, else
//! PLC), late packets dropped, and RFC 4733 events read as DTMF digits.
//! Loopback and LAN tests need no jitter buffer; `listen`'s audio engine
//! adds one in front of this.

use super::{Decoder, OpusError};
use crate::core::rtp::dtmf_key;

pub struct AudioIn {
    opus_pt: u8,
    dtmf_pt: Option<u8>,
    decoder: Decoder,
    next_seq: Option<u16>,
    last_event_ts: Option<u32>,
    pub digits: String,
    pub packets: u64,
    pub concealed: u64,
    pub late: u64,
    pub other_payload_types: u64,
}

/// Gaps longer than this are treated as a new start, not concealed frame by frame.
const MAX_CONCEAL: u16 = 50;

impl AudioIn {
    /// Decodes Opus at `opus_pt` to `rate` samples a second.
    pub fn new(opus_pt: u8, dtmf_pt: Option<u8>, rate: u32) -> Result<AudioIn, OpusError> {
        Ok(AudioIn {
            opus_pt,
            dtmf_pt,
            decoder: Decoder::at_rate(rate)?,
            next_seq: None,
            last_event_ts: None,
            digits: String::new(),
            packets: 0,
            concealed: 0,
            late: 0,
            other_payload_types: 0,
        })
    }

    /// One RTP packet; decoded samples are appended to `out`.
    pub fn push(
        &mut self,
        pt: u8,
        seq: u16,
        timestamp: u32,
        payload: &[u8],
        out: &mut Vec<i16>,
    ) -> Result<(), OpusError> {
        self.packets += 1;
        if Some(pt) == self.dtmf_pt {
            self.event(timestamp, payload);
            self.advance(seq);
            return Ok(());
        }
        if pt != self.opus_pt {
            self.other_payload_types += 1;
            return Ok(());
        }
        if let Some(expected) = self.next_seq {
            let gap = seq.wrapping_sub(expected);
            if gap >= 0x8000 {
                self.late += 1;
                return Ok(());
            }
            if gap > 0 && gap <= MAX_CONCEAL {
                for i in 0..gap {
                    // The frame just before this packet can come from its FEC.
                    let fec = (i + 1 == gap).then_some(payload);
                    self.decoder.conceal(fec, out)?;
                    self.concealed += 1;
                }
            }
        }
        self.decoder.decode(payload, out)?;
        self.next_seq = Some(seq.wrapping_add(1));
        Ok(())
    }

    fn advance(&mut self, seq: u16) {
        let newer = self.next_seq.is_none_or(|e| seq.wrapping_sub(e) < 0x8000);
        if newer {
            self.next_seq = Some(seq.wrapping_add(1));
        }
    }

    /// RFC 4733 §2.5: one event is many packets with one timestamp.
    fn event(&mut self, timestamp: u32, payload: &[u8]) {
        if payload.len() < 4 || self.last_event_ts == Some(timestamp) {
            return;
        }
        self.last_event_ts = Some(timestamp);
        if let Some(key) = dtmf_key(payload[0]) {
            self.digits.push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Encoder, FRAME, RATE, Tone};
    use super::*;
    use crate::core::rtp::{dtmf_event, dtmf_payload};

    #[test]
    fn gaps_are_concealed_and_late_packets_dropped() {
        let mut enc = Encoder::new(20000).unwrap();
        let mut tone = Tone::new(440.0, 0.3);
        let packets: Vec<Vec<u8>> = (0..10)
            .map(|_| enc.encode(&tone.frame()).unwrap())
            .collect();
        let mut rx = AudioIn::new(111, Some(126), RATE).unwrap();
        let mut out = Vec::new();
        for seq in [0u16, 1, 2, 5, 4, 6, 7, 8, 9] {
            rx.push(
                111,
                seq,
                u32::from(seq) * 960,
                &packets[seq as usize],
                &mut out,
            )
            .unwrap();
        }
        // 3 and 4 concealed when 5 arrived; 4 then late.
        assert_eq!((rx.concealed, rx.late), (2, 1));
        assert_eq!(out.len(), 10 * FRAME);
    }

    #[test]
    fn dtmf_events_become_digits_once_each() {
        let mut rx = AudioIn::new(111, Some(126), RATE).unwrap();
        let mut out = Vec::new();
        let mut seq = 0;
        for (i, key) in "1#9".chars().enumerate() {
            let ts = 10_000 + i as u32 * 8000;
            for (n, end) in [
                (160u16, false),
                (320, false),
                (480, true),
                (480, true),
                (480, true),
            ] {
                let p = dtmf_payload(dtmf_event(key).unwrap(), end, 10, n);
                rx.push(126, seq, ts, &p, &mut out).unwrap();
                seq += 1;
            }
        }
        assert_eq!(rx.digits, "1#9");
        assert!(out.is_empty());
    }
}
