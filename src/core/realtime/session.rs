//! The Realtime session a bridged call asks for, and what it costs.

use super::events::{ClientEvent, Usage};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vad {
    /// Silence-based turn detection.
    Server,
    /// A model decides when the caller is done.
    Semantic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    pub model: String,
    pub voice: String,
    pub instructions: String,
    pub vad: Vad,
    /// Model for the caller's side of the transcript; `None` for none.
    pub transcription: Option<String>,
    /// Spoken first, once the call is accepted and media flows.
    pub greeting: Option<String>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            model: "gpt-realtime".into(),
            voice: "marin".into(),
            instructions:
                "You are a helpful voice assistant answering a WhatsApp call. Keep answers short."
                    .into(),
            vad: Vad::Server,
            transcription: Some("gpt-4o-mini-transcribe".into()),
            greeting: None,
        }
    }
}

impl SessionConfig {
    /// `session.update` in the GA shape: PCM16 at 24 kHz both ways.
    pub fn update(&self) -> ClientEvent {
        ClientEvent::SessionUpdate {
            session: self.session(true),
        }
    }

    /// The session a WebRTC call is created with: audio is Opus on the
    /// media track there, so no audio formats are named.
    pub fn webrtc_session(&self) -> Value {
        self.session(false)
    }

    fn session(&self, pcm: bool) -> Value {
        let format = json!({"type": "audio/pcm", "rate": 24000});
        let turn = match self.vad {
            Vad::Server => {
                json!({"type": "server_vad", "create_response": true, "interrupt_response": true})
            }
            Vad::Semantic => {
                json!({"type": "semantic_vad", "create_response": true, "interrupt_response": true})
            }
        };
        let mut input = json!({"turn_detection": turn});
        let mut output = json!({"voice": self.voice});
        if pcm {
            input["format"] = format.clone();
            output["format"] = format;
        }
        if let Some(model) = &self.transcription {
            input["transcription"] = json!({"model": model});
        }
        json!({
            "type": "realtime",
            "model": self.model,
            "instructions": self.instructions,
            "output_modalities": ["audio"],
            "audio": {"input": input, "output": output},
        })
    }

    /// The greeting as a response the model is asked for.
    pub fn greet(&self) -> Option<ClientEvent> {
        let text = self.greeting.as_ref()?;
        Some(ClientEvent::ResponseCreate {
            response: Some(Value::from_iter([(
                "instructions".to_string(),
                Value::String(format!("Greet the caller with exactly these words: {text}")),
            )])),
        })
    }
}

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prices {
    pub audio_in: f64,
    pub audio_cached_in: f64,
    pub audio_out: f64,
    pub text_in: f64,
    pub text_cached_in: f64,
    pub text_out: f64,
}

/// When the default prices were read from OpenAI's model pages.
pub const PRICES_AS_OF: &str = "2026-11";

impl Prices {
    /// OpenAI's list prices for the model's family (see `PRICES_AS_OF`).
    pub fn for_model(model: &str) -> Prices {
        if model.contains("mini") {
            Prices {
                audio_in: 10.0,
                audio_cached_in: 0.30,
                audio_out: 20.0,
                text_in: 0.60,
                text_cached_in: 0.06,
                text_out: 2.40,
            }
        } else {
            Prices {
                audio_in: 32.0,
                audio_cached_in: 0.40,
                audio_out: 64.0,
                text_in: 4.0,
                text_cached_in: 0.40,
                text_out: 24.0,
            }
        }
    }

    /// Sets one price by name (`audio-in`, `audio-cached-in`, `audio-out`,
    /// `text-in`, `text-cached-in`, `text-out`).
    pub fn set(&mut self, name: &str, usd_per_million: f64) -> Result<(), String> {
        let slot = match name {
            "audio-in" => &mut self.audio_in,
            "audio-cached-in" => &mut self.audio_cached_in,
            "audio-out" => &mut self.audio_out,
            "text-in" => &mut self.text_in,
            "text-cached-in" => &mut self.text_cached_in,
            "text-out" => &mut self.text_out,
            other => {
                return Err(format!(
                    "unknown price `{other}`: use audio-in, audio-cached-in, audio-out, text-in, text-cached-in or text-out"
                ));
            }
        };
        *slot = usd_per_million;
        Ok(())
    }

    /// Estimated cost of `u` in US dollars (cached input at the cached price).
    pub fn cost(&self, u: &Usage) -> f64 {
        let audio_fresh = u.audio_in.saturating_sub(u.cached_audio_in) as f64;
        let text_fresh = u.text_in.saturating_sub(u.cached_text_in) as f64;
        (audio_fresh * self.audio_in
            + u.cached_audio_in as f64 * self.audio_cached_in
            + u.audio_out as f64 * self.audio_out
            + text_fresh * self.text_in
            + u.cached_text_in as f64 * self.text_cached_in
            + u.text_out as f64 * self.text_out)
            / 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_is_ga_shaped() {
        let cfg = SessionConfig {
            vad: Vad::Semantic,
            transcription: None,
            ..SessionConfig::default()
        };
        let ClientEvent::SessionUpdate { session } = cfg.update() else {
            unreachable!()
        };
        assert_eq!(session["type"], "realtime");
        assert_eq!(session["audio"]["input"]["format"]["rate"], 24000);
        assert_eq!(session["audio"]["output"]["format"]["type"], "audio/pcm");
        assert_eq!(
            session["audio"]["input"]["turn_detection"]["type"],
            "semantic_vad"
        );
        assert!(session["audio"]["input"].get("transcription").is_none());
        // The beta shape's flat fields are gone.
        assert!(session.get("input_audio_format").is_none());
        assert!(session.get("voice").is_none());
    }

    #[test]
    fn greeting_only_when_asked() {
        assert!(SessionConfig::default().greet().is_none());
        let cfg = SessionConfig {
            greeting: Some("Hello from wacall".into()),
            ..SessionConfig::default()
        };
        let Some(ClientEvent::ResponseCreate { response: Some(r) }) = cfg.greet() else {
            panic!()
        };
        assert!(
            r["instructions"]
                .as_str()
                .unwrap()
                .ends_with("Hello from wacall")
        );
    }

    #[test]
    fn cost_counts_cached_input_at_the_cached_price() {
        let p = Prices::for_model("gpt-realtime-2.1");
        let u = Usage {
            audio_in: 1_000_000,
            cached_audio_in: 500_000,
            audio_out: 1_000_000,
            ..Usage::default()
        };
        let cost = p.cost(&u);
        assert!((cost - (16.0 + 0.2 + 64.0)).abs() < 1e-9, "{cost}");
        let mut m = Prices::for_model("gpt-realtime-2.1-mini");
        assert_eq!(m.audio_out, 20.0);
        m.set("audio-out", 1.5).unwrap();
        assert_eq!(m.audio_out, 1.5);
        assert!(m.set("audio-outt", 1.0).unwrap_err().contains("audio-out"));
    }
}
