//! The stand-in's `session.update`: the GA shape checked as OpenAI checks
//! it, merged into the effective session, and `session.updated` with it.

use super::*;

impl StandIn {
    pub(super) fn session_update(&mut self, v: &Value, cid: Option<&str>) -> Vec<String> {
        let s = &v["session"];
        if !s.is_object() {
            return vec![self.error(
                "missing_required_parameter",
                "Missing required parameter: 'session'.".into(),
                Some("session"),
                cid,
            )];
        }
        // The beta shape is refused since GA.
        for beta in [
            "input_audio_format",
            "output_audio_format",
            "turn_detection",
            "voice",
            "modalities",
        ] {
            if s.get(beta).is_some() {
                return vec![self.error(
                    "unknown_parameter",
                    format!("Unknown parameter: 'session.{beta}'."),
                    Some(beta),
                    cid,
                )];
            }
        }
        if s["type"] != "realtime" {
            return vec![self.error(
                "missing_required_parameter",
                "Missing required parameter: 'session.type'.".into(),
                Some("session.type"),
                cid,
            )];
        }
        for dir in ["input", "output"] {
            let f = &s["audio"][dir]["format"];
            if !f.is_null()
                && (f["type"] != "audio/pcm" || !(f["rate"].is_null() || f["rate"] == 24000))
            {
                return vec![self.error(
                    "invalid_value",
                    format!("The stand-in speaks audio/pcm at 24000 Hz only; got {f} for {dir}."),
                    Some("session.audio"),
                    cid,
                )];
            }
        }
        self.log.session_updates.push(s.clone());
        merge(&mut self.session, s);
        let eff = self.session.clone();
        vec![self.event(json!({"type": "session.updated", "session": eff}))]
    }
}

/// Merges a partial session update into the effective session.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}
