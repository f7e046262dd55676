//! How `wacall demo` looks: both sides' steps interleaved, then a verdict.

use super::Style;
use crate::io::demo::DemoReport;
use serde_json::{Value, json};
use std::time::Duration;

pub fn intro(ai: bool, s: &Style) -> String {
    let (far, caller) = if ai {
        (
            "the OpenAI far end (`--to openai`),\n\
             talking to a local stand-in for the Realtime API (`wacall sim openai`) whose model says back each turn.\n",
            "The caller talks in turns (1 s of 440 Hz, then 1.5 s quiet) and presses 1.",
        )
    } else {
        (
            "an echo far end.\n",
            "The caller sends a 440 Hz tone and presses 1.",
        )
    };
    format!(
        "{} a WhatsApp call on this machine. `wacall sim` plays WhatsApp and Meta (ICE-lite media, Graph API,\n\
         signed webhooks); `wacall bridge` answers the call its webhook announces, with {far}\
         {caller} No keys, no network beyond loopback.\n\n",
        s.bold("demo:")
    )
}

pub fn intro_json(ai: bool) -> Value {
    json!({"type": "demo", "data": {"caller_tone_hz": 440.0, "far_end": if ai { "openai-stand-in" } else { "echo" }}})
}

pub fn line(side: &str, at: Duration, what: &str, s: &Style) -> String {
    let tag = format!("{side:<8}");
    let tag = if side == "whatsapp" {
        s.info(&tag)
    } else {
        s.help(&tag)
    };
    format!("{tag} {:>9}  {what}\n", super::bridge::ms(at))
}

/// The verdict, and whether the demo call worked.
pub fn verdict(r: &DemoReport, s: &Style) -> (String, Value, bool) {
    let heard = r.whatsapp.as_ref().and_then(|w| w.heard.dominant_hz);
    let echoed = heard.is_some_and(|hz| (hz - r.caller_hz).abs() < 5.0);
    let both = r.whatsapp.as_ref().is_some_and(|w| w.ok) && r.bridge.as_ref().is_some_and(|b| b.ok);
    let ok = both && echoed;
    let mut out = String::new();
    if let Some(b) = &r.bridge {
        out.push_str(&super::bridge::summary(b, s));
    }
    out.push_str(&format!("\n{} ", s.bold("verdict:")));
    if ok {
        let w = r.whatsapp.as_ref().expect("ok implies a report");
        out.push_str(&format!(
            "{}: WhatsApp's side heard its own {:.0} Hz back through the bridge ({:.1} Hz at {:.1} dBFS); setup from the answer to media both ways took {}.\n",
            s.ok("the call worked"),
            r.caller_hz,
            heard.unwrap_or_default(),
            w.heard.level_dbfs,
            w.setup.map(super::bridge::ms).unwrap_or_else(|| "-".into())
        ));
    } else {
        let why = match (&r.whatsapp, &r.bridge) {
            (Some(w), _) if !w.ok => format!("WhatsApp's side: {}", w.reason),
            (_, Some(b)) if !b.ok => format!("the bridge: {}", b.reason),
            (_, None) => "the bridge never answered".into(),
            _ => format!(
                "WhatsApp's side heard {heard:?} Hz, not the {:.0} Hz it sent",
                r.caller_hz
            ),
        };
        out.push_str(&format!("{}: {why}\n", s.error("the call failed")));
    }
    let json =
        json!({"type": "verdict", "data": {"ok": ok, "whatsapp": r.whatsapp, "bridge": r.bridge}});
    (out, json, ok)
}
