//! libopus (bundled 1.6) for 20 ms mono frames at 48 kHz: what WhatsApp's
//! `opus/48000/2` with no `stereo=1` carries.

use super::{FRAME, RATE};

#[derive(Debug, thiserror::Error)]
#[error("opus: {0}")]
pub struct OpusError(String);

impl From<opus::Error> for OpusError {
    fn from(e: opus::Error) -> Self {
        OpusError(e.to_string())
    }
}

pub struct Encoder {
    inner: opus::Encoder,
    out: Vec<u8>,
}

impl Encoder {
    /// Speech settings near WhatsApp's own offer: VoIP mode, in-band FEC,
    /// `bitrate` bits per second (WhatsApp asks for 20000 on average).
    pub fn new(bitrate: i32) -> Result<Encoder, OpusError> {
        let mut inner = opus::Encoder::new(RATE, opus::Channels::Mono, opus::Application::Voip)?;
        inner.set_bitrate(opus::Bitrate::Bits(bitrate))?;
        inner.set_inband_fec(true)?;
        inner.set_packet_loss_perc(5)?;
        inner.set_complexity(5)?;
        Ok(Encoder {
            inner,
            out: vec![0; 1500],
        })
    }

    /// One 20 ms frame in, one Opus packet out.
    pub fn encode(&mut self, frame: &[i16; FRAME]) -> Result<Vec<u8>, OpusError> {
        let n = self.inner.encode(frame, &mut self.out)?;
        Ok(self.out[..n].to_vec())
    }
}

pub struct Decoder {
    inner: opus::Decoder,
}

impl Decoder {
    pub fn new() -> Result<Decoder, OpusError> {
        Ok(Decoder {
            inner: opus::Decoder::new(RATE, opus::Channels::Mono)?,
        })
    }

    /// Decodes a packet; appends its samples to `out` and returns how many.
    pub fn decode(&mut self, packet: &[u8], out: &mut Vec<i16>) -> Result<usize, OpusError> {
        let start = out.len();
        out.resize(start + 6 * FRAME, 0); // up to 120 ms in one packet
        let n = self.inner.decode(packet, &mut out[start..], false)?;
        out.truncate(start + n);
        Ok(n)
    }

    /// A lost 20 ms frame: recovered from the next packet's in-band FEC when
    /// given, otherwise concealed (PLC).
    pub fn conceal(&mut self, next: Option<&[u8]>, out: &mut Vec<i16>) -> Result<usize, OpusError> {
        let start = out.len();
        out.resize(start + FRAME, 0);
        let n = match next {
            Some(p) => self.inner.decode(p, &mut out[start..], true)?,
            None => self.inner.decode(&[], &mut out[start..], false)?,
        };
        out.truncate(start + n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Tone, dominant_frequency};
    use super::*;

    #[test]
    fn a_tone_survives_encoding() {
        let mut enc = Encoder::new(32000).unwrap();
        let mut dec = Decoder::new().unwrap();
        let mut tone = Tone::new(440.0, 0.3);
        let mut heard = Vec::new();
        let mut bytes = 0;
        for i in 0..100 {
            let packet = enc.encode(&tone.frame()).unwrap();
            bytes += packet.len();
            if i == 50 {
                assert_eq!(dec.conceal(None, &mut heard).unwrap(), FRAME);
            } else {
                assert_eq!(dec.decode(&packet, &mut heard).unwrap(), FRAME);
            }
        }
        assert_eq!(heard.len(), 100 * FRAME);
        let f = dominant_frequency(&heard[FRAME * 10..]).unwrap();
        assert!((f - 440.0).abs() < 2.0, "{f}");
        assert!(
            bytes / 100 < 120,
            "about 32 kbit/s: {} bytes per frame",
            bytes / 100
        );
    }
}
