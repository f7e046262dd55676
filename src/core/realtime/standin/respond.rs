//! The stand-in's side of a response: its audio and transcript streamed
//! faster than real time, `response.done` with usage, cancellation, and
//! truncation to what was played.

use super::*;

impl StandIn {
    pub(super) fn start_response(
        &mut self,
        audio: Vec<i16>,
        transcript: String,
        input_ms: u64,
        now: u64,
    ) -> Vec<String> {
        let mut out = Vec::new();
        if self.cfg.garbage {
            out.push("{this is not json".to_string());
            out.push(self.event(json!({"type": "wacall.unknown_event", "detail": "ignore me"})));
            out.push(self.event(json!({"type": "response.output_audio.delta", "delta": 42})));
        }
        let id = self.id("resp");
        let item_id = self.id("item");
        self.log.responses.push(id.clone());
        self.items.insert(item_id.clone(), audio.len() as u64 / 24);
        let item = json!({"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant", "status": "in_progress", "content": []});
        let prev = self.last_item.replace(item_id.clone());
        out.push(self.event(json!({"type": "response.created", "response": {"id": id, "object": "realtime.response", "status": "in_progress",
            "output": [], "output_modalities": ["audio"], "conversation_id": "conv_standin"}})));
        out.push(self.event(json!({"type": "conversation.item.added", "previous_item_id": prev, "item": item.clone()})));
        out.push(self.event(json!({"type": "response.output_item.added", "response_id": id, "output_index": 0, "item": item})));
        out.push(self.event(json!({"type": "response.content_part.added", "response_id": id, "item_id": item_id, "output_index": 0,
            "content_index": 0, "part": {"type": "audio", "transcript": ""}})));
        self.playing = Some(Playing {
            id,
            item_id,
            audio,
            sent: 0,
            next_at: now,
            transcript,
            input_ms,
        });
        out.extend(self.poll(now));
        out
    }

    /// When [`StandIn::poll`] next has something to send (ms on the
    /// server's clock): the next delta of a response being streamed. Nothing
    /// else happens between client events, so a server sleeps until then.
    pub fn next_due(&self) -> Option<u64> {
        self.playing.as_ref().map(|p| p.next_at)
    }

    /// Deltas due by `now` ms; the end of the response once all are out.
    pub fn poll(&mut self, now: u64) -> Vec<String> {
        let mut out = Vec::new();
        let step = (self.cfg.delta_ms as f64 / self.cfg.pace) as u64;
        while let Some(p) = self
            .playing
            .as_mut()
            .filter(|p| p.next_at <= now && p.sent < p.audio.len())
        {
            let n = (self.cfg.delta_ms as usize * 24).min(p.audio.len() - p.sent);
            let bytes: Vec<u8> = p.audio[p.sent..p.sent + n]
                .iter()
                .flat_map(|s| s.to_le_bytes())
                .collect();
            let first = p.sent == 0;
            p.sent += n;
            p.next_at += step.max(1);
            let (id, item_id, transcript) = (p.id.clone(), p.item_id.clone(), p.transcript.clone());
            let audio = base64::engine::general_purpose::STANDARD.encode(bytes);
            out.push(self.event(
                json!({"type": "response.output_audio.delta", "response_id": id, "item_id": item_id,
                "output_index": 0, "content_index": 0, "delta": audio}),
            ));
            if first {
                out.push(self.event(json!({"type": "response.output_audio_transcript.delta", "response_id": id, "item_id": item_id,
                    "output_index": 0, "content_index": 0, "delta": transcript})));
            }
        }
        if self
            .playing
            .as_ref()
            .is_some_and(|p| p.sent >= p.audio.len())
        {
            out.extend(self.finish("completed", None));
        }
        out
    }

    pub(super) fn cancel(&mut self, reason: &str) -> Vec<String> {
        self.finish("cancelled", Some(reason))
    }

    pub(super) fn finish(&mut self, status: &str, reason: Option<&str>) -> Vec<String> {
        let Some(p) = self.playing.take() else {
            return Vec::new();
        };
        let (id, item_id) = (p.id.clone(), p.item_id.clone());
        let out_ms = p.sent as u64 / 24;
        let audio_out = out_ms / 50;
        let audio_in = p.input_ms / 100;
        let text_out = p.transcript.split_whitespace().count() as u64;
        let item = json!({"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant",
            "status": if status == "completed" { "completed" } else { "incomplete" },
            "content": [{"type": "output_audio", "transcript": p.transcript}]});
        let mut out = Vec::new();
        if status == "completed" {
            out.push(self.event(json!({"type": "response.output_audio.done", "response_id": id, "item_id": item_id, "output_index": 0, "content_index": 0})));
            out.push(self.event(json!({"type": "response.output_audio_transcript.done", "response_id": id, "item_id": item_id,
                "output_index": 0, "content_index": 0, "transcript": p.transcript})));
            out.push(self.event(json!({"type": "response.content_part.done", "response_id": id, "item_id": item_id, "output_index": 0,
                "content_index": 0, "part": {"type": "audio", "transcript": p.transcript}})));
            out.push(self.event(json!({"type": "response.output_item.done", "response_id": id, "output_index": 0, "item": item.clone()})));
        }
        let details = reason.map(|r| json!({"type": "cancelled", "reason": r}));
        out.push(self.event(json!({"type": "response.done", "response": {
            "id": id, "object": "realtime.response", "status": status, "status_details": details,
            "output": [item], "output_modalities": ["audio"], "conversation_id": "conv_standin",
            "usage": {"total_tokens": audio_in + audio_out + text_out, "input_tokens": audio_in, "output_tokens": audio_out + text_out,
                      "input_token_details": {"audio_tokens": audio_in, "text_tokens": 0, "cached_tokens": 0, "image_tokens": 0},
                      "output_token_details": {"audio_tokens": audio_out, "text_tokens": text_out}}}})));
        out
    }

    pub(super) fn truncate(&mut self, v: &Value, cid: Option<&str>) -> Vec<String> {
        let (Some(item_id), Some(end)) = (v["item_id"].as_str(), v["audio_end_ms"].as_u64()) else {
            return vec![self.error(
                "missing_required_parameter",
                "conversation.item.truncate needs 'item_id' and 'audio_end_ms'.".into(),
                None,
                cid,
            )];
        };
        let item_id = item_id.to_string();
        match self.items.get(&item_id).copied() {
            None => vec![self.error(
                "item_not_found",
                format!("Item with item_id not found: {item_id}"),
                Some("item_id"),
                cid,
            )],
            Some(len) if end > len => vec![self.error(
                "invalid_value",
                format!("Audio content of {len}ms is already shorter than {end}ms"),
                Some("audio_end_ms"),
                cid,
            )],
            Some(_) => {
                self.log.truncations.push((item_id.clone(), end));
                vec![self.event(json!({"type": "conversation.item.truncated", "item_id": item_id, "content_index": 0, "audio_end_ms": end}))]
            }
        }
    }
}
