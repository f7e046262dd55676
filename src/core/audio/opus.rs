//! libopus (bundled 1.6) for 20 ms mono frames: what WhatsApp's
//! `opus/48000/2` with no `stereo=1` carries. The RTP clock is always 48 kHz,
//! but libopus codes from and decodes to any of its rates: a far end that
//! works at 24 kHz (the Realtime API) gets its audio converted by the codec
//! itself instead of by a resampler beside it.

use super::{RATE, frame_len};

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
    frame: usize,
}

/// libopus's complexity for every encoder here.
pub const COMPLEXITY: i32 = 5;

impl Encoder {
    /// Speech settings near WhatsApp's own offer: VoIP mode, in-band FEC,
    /// `bitrate` bits per second (WhatsApp asks for 20000 on average).
    pub fn new(bitrate: i32) -> Result<Encoder, OpusError> {
        Encoder::at_rate(bitrate, RATE)
    }

    /// An encoder fed `rate` samples a second (8, 12, 16, 24 or 48 kHz).
    pub fn at_rate(bitrate: i32, rate: u32) -> Result<Encoder, OpusError> {
        let mut inner = opus::Encoder::new(rate, opus::Channels::Mono, opus::Application::Voip)?;
        inner.set_bitrate(opus::Bitrate::Bits(bitrate))?;
        inner.set_inband_fec(true)?;
        inner.set_packet_loss_perc(5)?;
        inner.set_complexity(COMPLEXITY)?;
        Ok(Encoder {
            inner,
            out: vec![0; 1500],
            frame: frame_len(rate),
        })
    }

    /// Codes no more audio bandwidth than a receiver rendering at
    /// `playback_hz` samples a second can play (RFC 7587 `maxplaybackrate`;
    /// WhatsApp's is 16000, wideband): SILK alone, no CELT layer above it.
    pub fn limit_to_playback_rate(&mut self, playback_hz: u32) -> Result<(), OpusError> {
        let bandwidth = match playback_hz {
            0..=8_000 => opus::Bandwidth::Narrowband,
            8_001..=12_000 => opus::Bandwidth::Mediumband,
            12_001..=16_000 => opus::Bandwidth::Wideband,
            16_001..=24_000 => opus::Bandwidth::Superwideband,
            _ => opus::Bandwidth::Fullband,
        };
        Ok(self.inner.set_max_bandwidth(bandwidth)?)
    }

    /// Changes the encoder's complexity (0-10): CPU against quality.
    pub fn set_complexity(&mut self, complexity: i32) -> Result<(), OpusError> {
        Ok(self.inner.set_complexity(complexity)?)
    }

    /// The complexity libopus is coding at.
    pub fn complexity(&mut self) -> Result<i32, OpusError> {
        Ok(self.inner.get_complexity()?)
    }

    /// One 20 ms frame in, one Opus packet out. libopus would take 10 or
    /// 40 ms as well, so a frame of any other length is refused here.
    pub fn encode(&mut self, frame: &[i16]) -> Result<Vec<u8>, OpusError> {
        if frame.len() != self.frame {
            return Err(OpusError(format!(
                "a 20 ms frame is {} samples at this rate, not {}",
                self.frame,
                frame.len()
            )));
        }
        let n = self.inner.encode(frame, &mut self.out)?;
        Ok(self.out[..n].to_vec())
    }

    /// Forgets the audio it has seen, as if new: the next frame is coded
    /// without prediction from frames the decoder never got from it.
    pub fn reset(&mut self) -> Result<(), OpusError> {
        Ok(self.inner.reset_state()?)
    }
}

pub struct Decoder {
    inner: opus::Decoder,
    frame: usize,
}

impl Decoder {
    pub fn new() -> Result<Decoder, OpusError> {
        Decoder::at_rate(RATE)
    }

    /// A decoder giving `rate` samples a second (8, 12, 16, 24 or 48 kHz).
    pub fn at_rate(rate: u32) -> Result<Decoder, OpusError> {
        Ok(Decoder {
            inner: opus::Decoder::new(rate, opus::Channels::Mono)?,
            frame: frame_len(rate),
        })
    }

    /// Decodes a packet; appends its samples to `out` and returns how many.
    pub fn decode(&mut self, packet: &[u8], out: &mut Vec<i16>) -> Result<usize, OpusError> {
        let start = out.len();
        out.resize(start + 6 * self.frame, 0); // up to 120 ms in one packet
        let n = self.inner.decode(packet, &mut out[start..], false)?;
        out.truncate(start + n);
        Ok(n)
    }

    /// A lost 20 ms frame: recovered from the next packet's in-band FEC when
    /// given, otherwise concealed (PLC). libopus conceals as much as the
    /// buffer holds, so it is exactly one frame at this decoder's rate.
    pub fn conceal(&mut self, next: Option<&[u8]>, out: &mut Vec<i16>) -> Result<usize, OpusError> {
        let start = out.len();
        out.resize(start + self.frame, 0);
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
    use super::super::{FRAME, Tone, dominant_frequency};
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

    #[test]
    fn coding_at_24_khz_keeps_the_tone_and_conceals_one_frame() {
        let mut enc = Encoder::at_rate(20_000, 24_000).unwrap();
        let mut dec = Decoder::at_rate(24_000).unwrap();
        let mut tone = Tone::new(440.0, 0.3);
        let mut frame = [0i16; 480];
        let mut heard = Vec::new();
        for i in 0..100 {
            tone.fill(&mut frame, 24_000);
            let packet = enc.encode(&frame).unwrap();
            let n = if i == 50 {
                dec.conceal(None, &mut heard).unwrap()
            } else {
                dec.decode(&packet, &mut heard).unwrap()
            };
            assert_eq!(n, 480, "20 ms at 24 kHz, concealed or not");
        }
        let f = super::super::dominant_frequency_at(&heard[480 * 10..], 24_000).unwrap();
        assert!((f - 440.0).abs() < 2.0, "{f}");
        // A 48 kHz frame is 40 ms here: refused rather than sent as one.
        assert!(enc.encode(&[0; FRAME]).is_err());
    }

    /// The level of a 10 kHz tone after coding, full band or for a 16 kHz player.
    fn ten_khz_after(playback_hz: Option<u32>) -> f64 {
        let mut enc = Encoder::new(32000).unwrap();
        if let Some(hz) = playback_hz {
            enc.limit_to_playback_rate(hz).unwrap();
        }
        let mut dec = Decoder::new().unwrap();
        let mut tone = Tone::new(10_000.0, 0.3);
        let mut heard = Vec::new();
        for _ in 0..50 {
            dec.decode(&enc.encode(&tone.frame()).unwrap(), &mut heard)
                .unwrap();
        }
        super::super::level_dbfs(&heard[FRAME * 10..])
    }

    #[test]
    fn nothing_above_what_the_player_renders_is_coded() {
        // 10 kHz is above the 8 kHz a 16 kHz (wideband) player can render.
        let (full, wideband) = (ten_khz_after(None), ten_khz_after(Some(16_000)));
        assert!(full > -25.0, "full band keeps it: {full} dBFS");
        assert!(wideband < -50.0, "wideband drops it: {wideband} dBFS");
    }
}
