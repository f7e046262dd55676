//! What WhatsApp's SDP says, as one info line: the shape a newcomer needs to
//! see before reading any rule.

use super::super::Severity::Info;
use super::super::{context::Ctx, registry::Rule};
use super::codec::{fmtp, opus, rtpmaps};
use super::rule;
use crate::core::sdp::parse_candidate;

pub static WHATSAPP_SDP_SUMMARY: Rule = rule(
    "WA031",
    "whatsapp-sdp-summary",
    Info,
    "what WhatsApp's SDP asks for: ICE mode, DTLS role, codecs, packet time, candidates",
    "WhatsApp's offer and answer",
    "answer with the codecs and payload types listed here; the business side must be the opposite ICE and DTLS role",
    None,
    include_str!("../docs/WA031.md"),
);

pub(super) fn check(ctx: &mut Ctx) {
    if ctx.role.is_business() {
        return;
    }
    let sdp = ctx.sdp;
    let mut parts = Vec::new();
    let lite = sdp.scoped_attrs(ctx.audio, "ice-lite").is_empty();
    parts.push(if lite { "full ICE" } else { "ICE-lite" }.to_string());
    if let Some(s) = sdp.scoped_value(ctx.audio, "setup") {
        parts.push(format!("setup:{}", s.value_or_empty()));
    }
    if let Some(m) = ctx.audio {
        for r in rtpmaps(sdp, m)
            .into_iter()
            .filter(|r| m.formats.contains(&r.map.pt))
        {
            let mut codec = format!("{} PT {}", r.map.spec(), r.map.pt);
            if opus(sdp, m).is_some_and(|o| o.map.pt == r.map.pt)
                && let Some((_, f)) = fmtp(sdp, m, &r.map.pt)
            {
                let params: Vec<String> =
                    f.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                codec.push_str(&format!(" ({})", params.join(";")));
            }
            parts.push(codec);
        }
        if let Some(p) = sdp.scoped_value(Some(m), "ptime") {
            parts.push(format!("ptime {}", p.value_or_empty()));
        }
        let cands: Vec<String> = sdp
            .media_attrs(m, "candidate")
            .filter_map(|a| parse_candidate(a.value_or_empty()).ok())
            .map(|c| {
                if c.address.contains(':') {
                    format!("{} IPv6 [{}]:{}", c.typ, c.address, c.port)
                } else {
                    format!("{} IPv4 {}:{}", c.typ, c.address, c.port)
                }
            })
            .collect();
        parts.push(match cands.len() {
            0 => "no candidates".to_string(),
            n => format!(
                "{n} candidate{}: {}",
                if n == 1 { "" } else { "s" },
                cands.join(", ")
            ),
        });
    }
    let role = ctx.role.describe();
    ctx.missing(
        &WHATSAPP_SDP_SUMMARY,
        format!("{role}: {}", parts.join(", ")),
    );
}
