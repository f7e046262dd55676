//! RTP as seen on the wire, without decryption: SRTP leaves the header in the
//! clear, so loss, jitter and payload types can be measured by a relay.
//! Also what a sender needs to re-originate a stream: one SSRC, continuous
//! sequence numbers and timestamps (RFC 3550), and DTMF events (RFC 4733).

/// What a UDP datagram on a WebRTC 5-tuple is (RFC 7983 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stun,
    /// A DTLS record; `client_hello` when it is a ClientHello handshake.
    Dtls {
        client_hello: bool,
    },
    Rtp(Header),
    Rtcp,
    Other,
}

pub fn classify(b: &[u8]) -> Kind {
    match b.first() {
        Some(0..=3) if crate::core::stun::is_stun(b) => Kind::Stun,
        Some(20..=63) => Kind::Dtls {
            // record: type(1) version(2) epoch(2) seq(6) length(2), then the
            // handshake message type; ClientHello is 1.
            client_hello: b.len() > 13 && b[0] == 22 && b[13] == 1,
        },
        Some(128..=191) if b.len() >= 12 => match b[1] & 0x7f {
            // RFC 5761 §4: RTCP packet types 192-223 land at 64-95 here.
            64..=95 => Kind::Rtcp,
            _ => Header::parse(b).map(Kind::Rtp).unwrap_or(Kind::Other),
        },
        _ => Kind::Other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    /// Bytes before the payload (fixed header, CSRCs, extension).
    pub header_len: usize,
    pub has_extension: bool,
}

impl Header {
    pub fn parse(b: &[u8]) -> Option<Header> {
        if b.len() < 12 || b[0] >> 6 != 2 {
            return None;
        }
        let csrcs = (b[0] & 0x0f) as usize;
        let has_extension = b[0] & 0x10 != 0;
        let mut len = 12 + 4 * csrcs;
        if has_extension {
            let words = u16::from_be_bytes([*b.get(len + 2)?, *b.get(len + 3)?]) as usize;
            len += 4 + 4 * words;
        }
        if len > b.len() {
            return None;
        }
        Some(Header {
            marker: b[1] & 0x80 != 0,
            payload_type: b[1] & 0x7f,
            sequence: u16::from_be_bytes([b[2], b[3]]),
            timestamp: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            ssrc: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
            header_len: len,
            has_extension,
        })
    }
}

/// Receive statistics of one stream, as RFC 3550 §6.4.1 and A.3/A.8 define them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceiveStats {
    pub packets: u64,
    pub bytes: u64,
    base_seq: u32,
    max_seq: u32,
    cycles: u32,
    started: bool,
    /// Interarrival jitter in timestamp units (scaled by 16 internally).
    jitter_x16: u64,
    last_transit: Option<i64>,
    pub payload_types: Vec<u8>,
    pub ssrcs: Vec<u32>,
}

impl ReceiveStats {
    /// `arrival` is the arrival time in the stream's clock units (48000/s for Opus).
    pub fn record(&mut self, h: &Header, bytes: usize, arrival: i64) {
        self.packets += 1;
        self.bytes += bytes as u64;
        if !self.payload_types.contains(&h.payload_type) {
            self.payload_types.push(h.payload_type);
        }
        if !self.ssrcs.contains(&h.ssrc) {
            self.ssrcs.push(h.ssrc);
        }
        let seq = u32::from(h.sequence);
        if !self.started {
            self.started = true;
            self.base_seq = seq;
            self.max_seq = seq;
        } else {
            let delta = seq.wrapping_sub(self.max_seq) & 0xffff;
            if delta != 0 && delta < 0x8000 {
                if seq < self.max_seq {
                    self.cycles += 1 << 16;
                }
                self.max_seq = seq;
            }
        }
        // Telephone events share the clock but not the cadence; jitter is an audio measure.
        let transit = arrival - i64::from(h.timestamp);
        if let Some(last) = self.last_transit {
            let d = (transit - last).unsigned_abs();
            // J += (|D| - J) / 16, kept as J*16 to stay in integers.
            self.jitter_x16 = self.jitter_x16 + d - ((self.jitter_x16 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }

    pub fn expected(&self) -> u64 {
        if !self.started {
            return 0;
        }
        u64::from(self.cycles + self.max_seq - self.base_seq) + 1
    }

    /// Packets lost: expected minus received, never negative (duplicates).
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.packets)
    }

    pub fn loss_fraction(&self) -> f64 {
        match self.expected() {
            0 => 0.0,
            e => self.lost() as f64 / e as f64,
        }
    }

    /// The highest sequence number seen, extended by its cycles (RFC 3550
    /// §6.4.1), as a reception report carries it.
    pub fn highest_extended(&self) -> u32 {
        self.cycles.wrapping_add(self.max_seq)
    }

    /// Interarrival jitter in timestamp units, as a reception report
    /// carries it.
    pub fn jitter_units(&self) -> u32 {
        (self.jitter_x16 >> 4) as u32
    }

    /// Jitter in milliseconds for a clock of `rate` Hz.
    pub fn jitter_ms(&self, rate: u32) -> f64 {
        (self.jitter_x16 as f64 / 16.0) * 1000.0 / f64::from(rate)
    }
}

/// Numbers packets of one outgoing stream: one SSRC, sequence numbers and
/// timestamps that continue whatever the payload source does.
#[derive(Debug, Clone)]
pub struct Packetizer {
    pub ssrc: u32,
    sequence: u16,
    timestamp: u32,
}

impl Packetizer {
    /// Random starting values, as RFC 3550 §5.1 asks, come from the caller.
    pub fn new(ssrc: u32, first_sequence: u16, first_timestamp: u32) -> Packetizer {
        Packetizer {
            ssrc,
            sequence: first_sequence,
            timestamp: first_timestamp,
        }
    }

    /// Header fields for the next packet; `advance` is the payload's duration in
    /// clock units (960 for 20 ms at 48 kHz).
    pub fn next(&mut self, advance: u32) -> (u16, u32) {
        let out = (self.sequence, self.timestamp);
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(advance);
        out
    }

    /// Header fields for a packet that repeats the current timestamp (the
    /// retransmitted end packets of an RFC 4733 event).
    pub fn next_same_time(&mut self) -> (u16, u32) {
        let out = (self.sequence, self.timestamp);
        self.sequence = self.sequence.wrapping_add(1);
        out
    }

    /// The timestamp the next packet will carry.
    pub fn timestamp(&self) -> u32 {
        self.timestamp
    }

    /// Moves the clock on without sending (a gap the far end filled with nothing).
    pub fn skip(&mut self, advance: u32) {
        self.timestamp = self.timestamp.wrapping_add(advance);
    }
}

/// RFC 4733 §2.3 event payload: event, end bit, volume, duration.
pub fn dtmf_payload(event: u8, end: bool, volume: u8, duration: u16) -> [u8; 4] {
    let d = duration.to_be_bytes();
    [event, (u8::from(end) << 7) | (volume & 0x3f), d[0], d[1]]
}

/// The RFC 4733 event code of a DTMF key: 0-9, `*` 10, `#` 11, A-D 12-15.
pub fn dtmf_event(key: char) -> Option<u8> {
    match key.to_ascii_uppercase() {
        c @ '0'..='9' => Some(c as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        c @ 'A'..='D' => Some(c as u8 - b'A' + 12),
        _ => None,
    }
}

/// The key of an RFC 4733 event code.
pub fn dtmf_key(event: u8) -> Option<char> {
    Some(match event {
        0..=9 => (b'0' + event) as char,
        10 => '*',
        11 => '#',
        12..=15 => (b'A' + event - 12) as char,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(seq: u16, ts: u32, pt: u8) -> Vec<u8> {
        let mut b = vec![0x80, pt, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42];
        b[2..4].copy_from_slice(&seq.to_be_bytes());
        b[4..8].copy_from_slice(&ts.to_be_bytes());
        b.extend([0xf8, 0xff, 0xfe]);
        b
    }

    #[test]
    fn demultiplexes_rfc7983_ranges() {
        assert!(
            matches!(classify(&packet(1, 2, 111)), Kind::Rtp(h) if h.payload_type == 111 && h.sequence == 1)
        );
        let mut rtcp = packet(0, 0, 0);
        rtcp[1] = 200; // sender report
        assert_eq!(classify(&rtcp), Kind::Rtcp);
        let mut hello = vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 1];
        assert_eq!(classify(&hello), Kind::Dtls { client_hello: true });
        hello[13] = 2;
        assert_eq!(
            classify(&hello),
            Kind::Dtls {
                client_hello: false
            }
        );
        assert_eq!(
            classify(&[23; 30]),
            Kind::Dtls {
                client_hello: false
            }
        );
        assert_eq!(classify(&[65; 30]), Kind::Other, "64-79 is a TURN channel");
        assert_eq!(classify(&[0xff, 1, 2]), Kind::Other);
    }

    #[test]
    fn header_with_csrc_and_extension() {
        let mut b = vec![0x91, 0xef, 0, 7, 0, 0, 3, 0xc0, 0, 0, 0, 1, 0, 0, 0, 9];
        b.extend([0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0, 0xf8]);
        let h = Header::parse(&b).unwrap();
        assert!(h.marker && h.has_extension);
        assert_eq!(
            (h.payload_type, h.sequence, h.timestamp, h.header_len),
            (111, 7, 960, 24)
        );
        assert!(Header::parse(&b[..18]).is_none());
    }

    #[test]
    fn loss_reordering_and_wraparound() {
        let mut s = ReceiveStats::default();
        for (i, seq) in [65533u16, 65534, 65535, 1, 0, 2, 5].iter().enumerate() {
            let h = Header::parse(&packet(*seq, 0, 111)).unwrap();
            s.record(&h, 15, i as i64 * 960);
        }
        // 65533..=5 is 9 sequence numbers; 7 arrived (0 late), 3 and 4 never.
        assert_eq!(s.expected(), 9);
        assert_eq!(s.lost(), 2);
        assert!((s.loss_fraction() - 2.0 / 9.0).abs() < 1e-9);
    }

    #[test]
    fn jitter_follows_rfc3550() {
        let mut steady = ReceiveStats::default();
        let mut jittery = ReceiveStats::default();
        for i in 0..200u32 {
            let h = Header::parse(&packet(i as u16, i * 960, 111)).unwrap();
            steady.record(&h, 15, i64::from(i) * 960);
            // every other packet 5 ms (240 units) late
            jittery.record(
                &h,
                15,
                i64::from(i) * 960 + if i % 2 == 1 { 240 } else { 0 },
            );
        }
        assert_eq!(steady.jitter_ms(48000), 0.0);
        // Alternating ±240 converges to 240 units = 5 ms.
        assert!(
            (jittery.jitter_ms(48000) - 5.0).abs() < 0.3,
            "{}",
            jittery.jitter_ms(48000)
        );
    }

    #[test]
    fn packetizer_continues_and_wraps() {
        let mut p = Packetizer::new(7, 65535, u32::MAX - 959);
        assert_eq!(p.next(960), (65535, u32::MAX - 959));
        assert_eq!(p.next(960), (0, 0));
        p.skip(960);
        assert_eq!(p.next_same_time(), (1, 1920));
        assert_eq!(p.next(960), (2, 1920));
    }

    #[test]
    fn dtmf_codes() {
        assert_eq!(dtmf_payload(5, true, 10, 800), [5, 0x8a, 3, 32]);
        for key in "0123456789*#ABCD".chars() {
            assert_eq!(dtmf_key(dtmf_event(key).unwrap()), Some(key));
        }
        assert_eq!(dtmf_event('x'), None);
    }
}
