//! The local speaker and microphone as two sample queues.
//!
//! cpal calls back on its own thread for every device period; the call's
//! media loop runs on the network's 20 ms. They meet in two short queues of
//! mono samples at the device's rate. The streams live on a thread of their
//! own (a cpal stream is not `Send` on every platform), which holds them
//! until this handle is dropped.

use super::devices::{Direction, find};
use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{SampleFormat, StreamConfig};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How long a device may take to open (PulseAudio answers in milliseconds).
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Captured audio held at most (beyond it the oldest goes): one second.
const MAX_HELD_SECONDS: usize = 1;

#[derive(Debug, Clone, Default)]
pub struct DeviceSpec {
    pub input: Option<String>,
    pub output: Option<String>,
}

/// One direction's queue, mono, at the device's rate.
#[derive(Default)]
pub struct Queue {
    samples: Mutex<VecDeque<i16>>,
    /// Output: device periods that found the queue short.
    pub underruns: AtomicU64,
    /// Samples pushed beyond the cap, so the oldest went.
    pub overflows: AtomicU64,
    /// Set once anything passed, so the silence before a call is no underrun.
    started: AtomicBool,
    /// Output only: playing starts (and restarts after running dry) once
    /// this many samples are held, so the level begins at its target
    /// instead of being dragged up to it by pitch.
    prefill: std::sync::atomic::AtomicUsize,
    playing: AtomicBool,
}

impl Queue {
    pub fn len(&self) -> usize {
        self.samples.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&self, s: &[i16], cap: usize) {
        let mut q = self.samples.lock().unwrap();
        q.extend(s.iter().copied());
        if q.len() > cap {
            let extra = q.len() - cap;
            q.drain(..extra);
            self.overflows.fetch_add(1, Ordering::Relaxed);
        }
        self.started.store(true, Ordering::Relaxed);
    }

    pub fn take_all(&self, out: &mut Vec<i16>) {
        out.extend(self.samples.lock().unwrap().drain(..));
    }

    pub fn set_prefill(&self, samples: usize) {
        self.prefill.store(samples, Ordering::Relaxed);
    }

    /// Fills `out` frame by frame (each mono sample on every channel).
    fn play_into<T: cpal::Sample + cpal::FromSample<i16>>(&self, out: &mut [T], channels: usize) {
        let mut q = self.samples.lock().unwrap();
        if !self.playing.load(Ordering::Relaxed) {
            if q.len() < self.prefill.load(Ordering::Relaxed).max(1) {
                out.fill(T::EQUILIBRIUM);
                return;
            }
            self.playing.store(true, Ordering::Relaxed);
        }
        let mut short = false;
        for frame in out.chunks_mut(channels) {
            let s = q.pop_front().unwrap_or_else(|| {
                short = true;
                0
            });
            frame.fill(T::from_sample(s));
        }
        if short && self.started.load(Ordering::Relaxed) {
            self.underruns.fetch_add(1, Ordering::Relaxed);
            self.playing.store(false, Ordering::Relaxed);
        }
    }
}

/// What was opened, for reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Opened {
    pub name: String,
    pub rate: u32,
    pub channels: u16,
}

pub struct LocalAudio {
    pub speaker: Arc<Queue>,
    pub mic: Arc<Queue>,
    pub output: Opened,
    pub input: Opened,
    pub errors: Arc<AtomicU64>,
    _hold: mpsc::Sender<()>,
}

impl LocalAudio {
    /// Opens both devices and starts them; blocks until they run or fail.
    pub fn open(spec: &DeviceSpec) -> anyhow::Result<LocalAudio> {
        let speaker = Arc::new(Queue::default());
        let mic = Arc::new(Queue::default());
        let errors = Arc::new(AtomicU64::new(0));
        let (ready_tx, ready_rx) = mpsc::channel();
        let (hold_tx, hold_rx) = mpsc::channel::<()>();
        let (sp, mc, er, spec2) = (speaker.clone(), mic.clone(), errors.clone(), spec.clone());
        std::thread::Builder::new()
            .name("wacall-audio".into())
            .spawn(move || {
                let opened = (|| {
                    let out = open_output(spec2.output.as_deref(), sp, er.clone())?;
                    let inp = open_input(spec2.input.as_deref(), mc, er)?;
                    anyhow::Ok((out, inp))
                })();
                match opened {
                    Ok(((out_stream, out), (in_stream, inp))) => {
                        let _ = ready_tx.send(Ok((out, inp)));
                        // Until the handle is dropped.
                        let _ = hold_rx.recv();
                        drop((out_stream, in_stream));
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })?;
        let (output, input) = ready_rx
            .recv_timeout(OPEN_TIMEOUT)
            .map_err(|_| anyhow::anyhow!("the audio devices did not open within 10 s"))??;
        Ok(LocalAudio {
            speaker,
            mic,
            output,
            input,
            errors,
            _hold: hold_tx,
        })
    }
}

/// The device's default config, asking for 20 ms periods: PulseAudio's
/// default capture buffer is 2 s, which would arrive in 2 s lumps.
fn config(c: &cpal::SupportedStreamConfig) -> (StreamConfig, StreamConfig) {
    let mut fixed = c.config();
    fixed.buffer_size = cpal::BufferSize::Fixed(c.sample_rate() / 50);
    (fixed, c.config())
}

fn open_output(
    want: Option<&str>,
    q: Arc<Queue>,
    errors: Arc<AtomicU64>,
) -> anyhow::Result<(cpal::Stream, Opened)> {
    let dev = find(want, Direction::Output)?;
    let sc = dev.default_output_config()?;
    let channels = sc.channels() as usize;
    let build = |cfg: StreamConfig| -> Result<cpal::Stream, cpal::Error> {
        let (q, e) = (q.clone(), errors.clone());
        let err = move |_| {
            e.fetch_add(1, Ordering::Relaxed);
        };
        match sc.sample_format() {
            SampleFormat::F32 => dev.build_output_stream(
                cfg,
                move |d: &mut [f32], _: &_| q.play_into(d, channels),
                err,
                Some(OPEN_TIMEOUT),
            ),
            _ => dev.build_output_stream(
                cfg,
                move |d: &mut [i16], _: &_| q.play_into(d, channels),
                err,
                Some(OPEN_TIMEOUT),
            ),
        }
    };
    let (fixed, default) = config(&sc);
    let stream = build(fixed).or_else(|_| build(default))?;
    stream.play()?;
    Ok((stream, opened(&dev, &sc)))
}

fn open_input(
    want: Option<&str>,
    q: Arc<Queue>,
    errors: Arc<AtomicU64>,
) -> anyhow::Result<(cpal::Stream, Opened)> {
    let dev = find(want, Direction::Input)?;
    let sc = dev.default_input_config()?;
    let channels = sc.channels() as usize;
    let cap = sc.sample_rate() as usize * MAX_HELD_SECONDS;
    let build = |cfg: StreamConfig| -> Result<cpal::Stream, cpal::Error> {
        let (q, e) = (q.clone(), errors.clone());
        let err = move |_| {
            e.fetch_add(1, Ordering::Relaxed);
        };
        match sc.sample_format() {
            SampleFormat::F32 => dev.build_input_stream(
                cfg,
                move |d: &[f32], _: &_| q.push(&downmix(d, channels), cap),
                err,
                Some(OPEN_TIMEOUT),
            ),
            _ => dev.build_input_stream(
                cfg,
                move |d: &[i16], _: &_| q.push(&downmix(d, channels), cap),
                err,
                Some(OPEN_TIMEOUT),
            ),
        }
    };
    let (fixed, default) = config(&sc);
    let stream = build(fixed).or_else(|_| build(default))?;
    stream.play()?;
    Ok((stream, opened(&dev, &sc)))
}

fn opened(dev: &cpal::Device, sc: &cpal::SupportedStreamConfig) -> Opened {
    Opened {
        name: dev.id().map(|i| i.id().to_string()).unwrap_or_default(),
        rate: sc.sample_rate(),
        channels: sc.channels(),
    }
}

/// Interleaved frames to mono i16, averaging the channels.
fn downmix<T: Copy>(d: &[T], channels: usize) -> Vec<i16>
where
    i16: cpal::FromSample<T>,
{
    use cpal::FromSample;
    d.chunks(channels.max(1))
        .map(|f| {
            let sum: i32 = f.iter().map(|&s| i32::from(i16::from_sample_(s))).sum();
            (sum / f.len() as i32) as i16
        })
        .collect()
}
