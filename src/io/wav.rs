//! WAV files of 16-bit audio: what `play:` and `--send` read (48 kHz) and
//! what recordings write (at the far end's rate).

use crate::core::audio::RATE;
use anyhow::{Context, bail};
use std::path::Path;

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
    write_wav_channels(path, 1, samples, RATE)
}

/// Writes interleaved stereo 16-bit samples at `rate`, atomically.
pub fn write_wav_stereo(path: &Path, samples: &[i16], rate: u32) -> anyhow::Result<()> {
    write_wav_channels(path, 2, samples, rate)
}

fn write_wav_channels(
    path: &Path,
    channels: u16,
    samples: &[i16],
    rate: u32,
) -> anyhow::Result<()> {
    // A WAV header is patched after the samples, so it needs a seekable file.
    anyhow::ensure!(
        !crate::io::outfile::is_special(path),
        "cannot write `{}`: a WAV recording needs a regular file, not a device or pipe",
        path.display()
    );
    let tmp = crate::io::outfile::sibling_tmp(path);
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audio::Tone;

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
}
