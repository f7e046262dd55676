//! The OpenAI Realtime API's GA events, as far as a phone bridge uses them.
//!
//! Client events are typed and serialised exactly as the GA reference
//! names them (the beta shape is refused by the service). Server events are
//! read leniently: an unknown type is `Other`, a known type with missing or
//! mistyped fields is a `Malformed` error, and neither stops a call.

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

/// What the bridge sends to the Realtime API.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ClientEvent {
    #[serde(rename = "session.update")]
    SessionUpdate { session: Value },
    #[serde(rename = "input_audio_buffer.append")]
    Append { audio: String },
    #[serde(rename = "response.create")]
    ResponseCreate {
        #[serde(skip_serializing_if = "Option::is_none")]
        response: Option<Value>,
    },
    #[serde(rename = "response.cancel")]
    ResponseCancel {
        #[serde(skip_serializing_if = "Option::is_none")]
        response_id: Option<String>,
    },
    #[serde(rename = "conversation.item.truncate")]
    Truncate {
        item_id: String,
        content_index: u32,
        audio_end_ms: u64,
    },
    #[serde(rename = "conversation.item.create")]
    ItemCreate { item: Value },
}

impl ClientEvent {
    /// PCM16 little-endian mono at 24 kHz, base64, as `input_audio_buffer.append` wants it.
    pub fn append(samples: &[i16]) -> ClientEvent {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        ClientEvent::Append {
            audio: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    /// A text message restored into a new session after a reconnect.
    pub fn text_item(role: Role, text: &str) -> ClientEvent {
        let (role, kind) = match role {
            Role::Caller => ("user", "input_text"),
            Role::Ai => ("assistant", "output_text"),
        };
        ClientEvent::ItemCreate {
            item: json!({"type": "message", "role": role, "content": [{"type": kind, "text": text}]}),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("client events always serialise")
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ClientEvent::SessionUpdate { .. } => "session.update",
            ClientEvent::Append { .. } => "input_audio_buffer.append",
            ClientEvent::ResponseCreate { .. } => "response.create",
            ClientEvent::ResponseCancel { .. } => "response.cancel",
            ClientEvent::Truncate { .. } => "conversation.item.truncate",
            ClientEvent::ItemCreate { .. } => "conversation.item.create",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Caller,
    Ai,
}

/// Token counts from `response.done`, summed over a call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Usage {
    pub audio_in: u64,
    pub text_in: u64,
    pub cached_audio_in: u64,
    pub cached_text_in: u64,
    pub audio_out: u64,
    pub text_out: u64,
}

impl Usage {
    pub fn add(&mut self, o: &Usage) {
        self.audio_in += o.audio_in;
        self.text_in += o.text_in;
        self.cached_audio_in += o.cached_audio_in;
        self.cached_text_in += o.cached_text_in;
        self.audio_out += o.audio_out;
        self.text_out += o.text_out;
    }

    pub fn total(&self) -> u64 {
        self.audio_in + self.text_in + self.audio_out + self.text_out
    }

    fn from_json(u: &Value) -> Usage {
        let n = |v: &Value, path: &[&str]| {
            path.iter()
                .try_fold(v, |v, k| v.get(k))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        Usage {
            audio_in: n(u, &["input_token_details", "audio_tokens"]),
            text_in: n(u, &["input_token_details", "text_tokens"]),
            cached_audio_in: n(
                u,
                &[
                    "input_token_details",
                    "cached_tokens_details",
                    "audio_tokens",
                ],
            ),
            cached_text_in: n(
                u,
                &[
                    "input_token_details",
                    "cached_tokens_details",
                    "text_tokens",
                ],
            ),
            audio_out: n(u, &["output_token_details", "audio_tokens"]),
            text_out: n(u, &["output_token_details", "text_tokens"]),
        }
    }
}

/// What the Realtime API sends, reduced to what the bridge acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerEvent {
    SessionCreated,
    SessionUpdated,
    SpeechStarted {
        item_id: String,
        audio_start_ms: u64,
    },
    SpeechStopped {
        item_id: String,
        audio_end_ms: u64,
    },
    ResponseCreated {
        response_id: String,
    },
    AudioDelta {
        response_id: String,
        item_id: String,
        content_index: u32,
        pcm: Vec<i16>,
    },
    AudioDone {
        item_id: String,
    },
    TranscriptDelta {
        item_id: String,
        delta: String,
    },
    TranscriptDone {
        item_id: String,
        transcript: String,
    },
    CallerTranscript {
        item_id: String,
        transcript: String,
    },
    ResponseDone {
        response_id: String,
        status: String,
        usage: Usage,
    },
    Truncated {
        item_id: String,
        audio_end_ms: u64,
    },
    Error {
        kind: String,
        code: Option<String>,
        message: String,
    },
    /// A type the bridge does not act on (there are dozens).
    Other {
        kind: String,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

fn field<'a>(v: &'a Value, kind: &str, name: &str) -> Result<&'a Value, Malformed> {
    v.get(name)
        .ok_or_else(|| Malformed(format!("`{kind}` without `{name}`")))
}

fn string(v: &Value, kind: &str, name: &str) -> Result<String, Malformed> {
    field(v, kind, name)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Malformed(format!("`{kind}`: `{name}` is not a string")))
}

fn number(v: &Value, kind: &str, name: &str) -> Result<u64, Malformed> {
    field(v, kind, name)?
        .as_u64()
        .ok_or_else(|| Malformed(format!("`{kind}`: `{name}` is not a whole number")))
}

/// PCM16 little-endian from base64.
pub fn decode_pcm(b64: &str) -> Result<Vec<i16>, Malformed> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| Malformed(format!("audio is not base64: {e}")))?;
    if bytes.len() % 2 != 0 {
        return Err(Malformed(format!(
            "audio has {} bytes, not whole 16-bit samples",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}

impl ServerEvent {
    pub fn parse(text: &str) -> Result<ServerEvent, Malformed> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| Malformed(format!("not JSON ({e}): {}", preview(text))))?;
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| Malformed(format!("no `type`: {}", preview(text))))?;
        let k = kind;
        Ok(match kind {
            "session.created" => ServerEvent::SessionCreated,
            "session.updated" => ServerEvent::SessionUpdated,
            "input_audio_buffer.speech_started" => ServerEvent::SpeechStarted {
                item_id: string(&v, k, "item_id")?,
                audio_start_ms: number(&v, k, "audio_start_ms")?,
            },
            "input_audio_buffer.speech_stopped" => ServerEvent::SpeechStopped {
                item_id: string(&v, k, "item_id")?,
                audio_end_ms: number(&v, k, "audio_end_ms")?,
            },
            "response.created" => ServerEvent::ResponseCreated {
                response_id: string(field(&v, k, "response")?, k, "id")?,
            },
            "response.output_audio.delta" => ServerEvent::AudioDelta {
                response_id: string(&v, k, "response_id")?,
                item_id: string(&v, k, "item_id")?,
                content_index: number(&v, k, "content_index")? as u32,
                pcm: decode_pcm(&string(&v, k, "delta")?)?,
            },
            "response.output_audio.done" => ServerEvent::AudioDone {
                item_id: string(&v, k, "item_id")?,
            },
            "response.output_audio_transcript.delta" => ServerEvent::TranscriptDelta {
                item_id: string(&v, k, "item_id")?,
                delta: string(&v, k, "delta")?,
            },
            "response.output_audio_transcript.done" => ServerEvent::TranscriptDone {
                item_id: string(&v, k, "item_id")?,
                transcript: string(&v, k, "transcript")?,
            },
            "conversation.item.input_audio_transcription.completed" => {
                ServerEvent::CallerTranscript {
                    item_id: string(&v, k, "item_id")?,
                    transcript: string(&v, k, "transcript")?,
                }
            }
            "response.done" => {
                let r = field(&v, k, "response")?;
                ServerEvent::ResponseDone {
                    response_id: string(r, k, "id")?,
                    status: r
                        .get("status")
                        .and_then(Value::as_str)
                        .unwrap_or("completed")
                        .to_string(),
                    usage: r.get("usage").map(Usage::from_json).unwrap_or_default(),
                }
            }
            "conversation.item.truncated" => ServerEvent::Truncated {
                item_id: string(&v, k, "item_id")?,
                audio_end_ms: number(&v, k, "audio_end_ms")?,
            },
            "error" => {
                let e = field(&v, k, "error")?;
                ServerEvent::Error {
                    kind: e
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("error")
                        .to_string(),
                    code: e.get("code").and_then(Value::as_str).map(str::to_string),
                    message: string(e, k, "message")?,
                }
            }
            other => ServerEvent::Other {
                kind: other.to_string(),
            },
        })
    }
}

fn preview(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if t.len() < text.len() {
        format!("{t}...")
    } else {
        t
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
