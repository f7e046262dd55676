//! How long the AI takes to answer: from the end of the caller's turn (the
//! service's `input_audio_buffer.speech_stopped`) to the first audio of the
//! response. This is the far end's latency a caller feels, beyond the
//! bridge's own (which is measured per packet).

use std::time::{Duration, Instant};

#[derive(Debug, Default, Clone)]
pub struct TurnLatency {
    ended: Option<Instant>,
    /// One per answered turn, in order.
    pub samples: Vec<Duration>,
}

impl TurnLatency {
    /// The service decided the caller's turn is over.
    pub fn turn_ended(&mut self, at: Instant) {
        self.ended = Some(at);
    }

    /// The caller speaks again before any answer: that turn is not over.
    pub fn caller_spoke(&mut self) {
        self.ended = None;
    }

    /// Audio of a response arrived: the first after a turn's end is counted.
    pub fn ai_audio(&mut self, at: Instant) {
        if let Some(ended) = self.ended.take() {
            self.samples.push(at.saturating_duration_since(ended));
        }
    }

    /// Samples in ms, for a summary.
    pub fn ms(&self) -> Vec<f64> {
        self.samples
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_each_turns_end_to_the_first_audio_after_it() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut t = TurnLatency::default();
        t.ai_audio(ms(10)); // a greeting: no turn ended before it
        t.turn_ended(ms(1000));
        t.ai_audio(ms(1400));
        t.ai_audio(ms(1420)); // the rest of the same answer
        t.turn_ended(ms(3000));
        t.caller_spoke(); // went on talking: no answer to time
        t.turn_ended(ms(5000));
        t.ai_audio(ms(5250));
        assert_eq!(t.ms(), vec![400.0, 250.0]);
    }
}
