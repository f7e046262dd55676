//! The media description: one audio section, 20 ms packets, one SSRC,
//! both directions, RTP and RTCP on one port.

use super::super::Severity::Error;
use super::super::{context::Ctx, registry::Rule};
use super::rule;
use std::collections::BTreeSet;

pub static MEDIA_SECTIONS: Rule = rule(
    "WA013",
    "media-sections",
    Error,
    "there is no usable audio section, or the business SDP has more than one media section",
    "every SDP (extra sections: business SDP only)",
    "send exactly one `m=audio` section with a non-zero port, and no video or data channel",
    Some("the Graph API refuses the SDP, or the call fails in setup (138019)"),
    include_str!("../docs/WA013.md"),
);

pub static PTIME: Rule = rule(
    "WA019",
    "ptime",
    Error,
    "the business SDP asks for packets other than 20 ms (`a=ptime`, `a=maxptime`)",
    "business offer and answer",
    "use `a=ptime:20` (or leave it out: Opus in WebRTC defaults to 20 ms) and no `a=maxptime` below 20",
    Some(
        "Meta's media rules make 20 ms mandatory: \"If any mandatory requirement is unmet, the call will fail\"",
    ),
    include_str!("../docs/WA019.md"),
);

pub static MULTIPLE_SSRC: Rule = rule(
    "WA020",
    "multiple-ssrc",
    Error,
    "the business audio section declares more than one SSRC",
    "business offer and answer",
    "send one audio stream with one SSRC: no `a=ssrc-group`, no retransmission or simulcast SSRCs",
    Some("Meta: \"severe media corruption ... likely total media failure\""),
    include_str!("../docs/WA020.md"),
);

pub static DIRECTION: Rule = rule(
    "WA021",
    "direction",
    Error,
    "the business audio is not `sendrecv`",
    "business offer and answer",
    "use `a=sendrecv` (or no direction attribute): the business must send audio at once and receive the caller",
    Some(
        "one side never hears the other; with no media from the business the call ends after ~20 s with 138021",
    ),
    include_str!("../docs/WA021.md"),
);

pub static RTCP_MUX: Rule = rule(
    "WA022",
    "rtcp-mux",
    Error,
    "the business audio section lacks `a=rtcp-mux`",
    "business offer and answer",
    "add `a=rtcp-mux`: WebRTC (RFC 8829) and WhatsApp carry RTP and RTCP on one port",
    None,
    include_str!("../docs/WA022.md"),
);

pub(super) fn check(ctx: &mut Ctx) {
    sections(ctx);
    if !ctx.role.is_business() || ctx.audio.is_none() {
        return;
    }
    ptime(ctx);
    ssrc(ctx);
    direction(ctx);
    if ctx.sdp.scoped_attrs(ctx.audio, "rtcp-mux").is_empty() {
        ctx.missing(&RTCP_MUX, "no `a=rtcp-mux` in the audio section".into());
    }
}

fn sections(ctx: &mut Ctx) {
    let Some(audio) = ctx.audio else {
        let what = if ctx.sdp.media.is_empty() {
            "no media section at all"
        } else {
            "no `m=audio` section"
        };
        ctx.missing(
            &MEDIA_SECTIONS,
            format!("{what}: there is nothing to call with"),
        );
        return;
    };
    if audio.port == Some(0) {
        let line = audio.line();
        ctx.at(
            &MEDIA_SECTIONS,
            line,
            " 0 ",
            "audio port 0 rejects the audio stream".into(),
        );
    }
    if ctx.role.is_business() && ctx.sdp.media.len() > 1 {
        let extra: Vec<(usize, String)> = ctx
            .sdp
            .media
            .iter()
            .filter(|m| !std::ptr::eq(*m, audio))
            .map(|m| (m.line(), m.kind.clone()))
            .collect();
        for (line, kind) in extra {
            ctx.at_line(
                &MEDIA_SECTIONS,
                line,
                format!("extra `m={kind}` section: WhatsApp calls carry exactly one audio section"),
            );
        }
    }
}

fn ptime(ctx: &mut Ctx) {
    for key in ["ptime", "maxptime"] {
        let Some(a) = ctx.sdp.scoped_value(ctx.audio, key) else {
            continue;
        };
        let Ok(ms) = a.value_or_empty().parse::<f32>() else {
            continue; // WA027 reports the form.
        };
        let bad = if key == "ptime" {
            ms != 20.0
        } else {
            ms < 20.0
        };
        if bad {
            let v = a.value_or_empty().to_string();
            ctx.at(
                &PTIME,
                a.idx,
                &v,
                format!("`a={key}:{v}`: WhatsApp requires 20 ms packets"),
            );
        }
    }
}

fn ssrc(ctx: &mut Ctx) {
    let attrs: Vec<_> = ctx.sdp.scoped_attrs(ctx.audio, "ssrc");
    let ids: BTreeSet<&str> = attrs
        .iter()
        .filter_map(|a| a.value_or_empty().split(' ').next())
        .collect();
    if ids.len() > 1 {
        let second = attrs
            .iter()
            .find(|a| {
                a.value_or_empty().split(' ').next() != attrs[0].value_or_empty().split(' ').next()
            })
            .map(|a| a.idx)
            .unwrap_or(attrs[0].idx);
        let list: Vec<&str> = ids.into_iter().collect();
        ctx.at_line(
            &MULTIPLE_SSRC,
            second,
            format!(
                "{} SSRCs ({}); Meta requires exactly one",
                list.len(),
                list.join(", ")
            ),
        );
    }
    let groups: Vec<usize> = ctx
        .sdp
        .scoped_attrs(ctx.audio, "ssrc-group")
        .iter()
        .map(|a| a.idx)
        .collect();
    for idx in groups {
        ctx.at_line(
            &MULTIPLE_SSRC,
            idx,
            "`a=ssrc-group` adds SSRCs to the one audio stream".into(),
        );
    }
}

fn direction(ctx: &mut Ctx) {
    const KEYS: [&str; 4] = ["sendrecv", "sendonly", "recvonly", "inactive"];
    let sdp = ctx.sdp;
    let pick = |section| -> Vec<(usize, &str)> {
        sdp.attrs(section)
            .filter(|a| KEYS.contains(&a.key))
            .map(|a| (a.idx, a.key))
            .collect()
    };
    let session = pick(sdp.session);
    let media = ctx.audio.map(|m| pick(m.section)).unwrap_or_default();
    for list in [&session, &media] {
        if let Some(&(idx, _)) = list.get(1) {
            ctx.at_line(
                &DIRECTION,
                idx,
                format!(
                    "{} direction attributes in one section; state one",
                    list.len()
                ),
            );
        }
    }
    // The media level overrides the session level (RFC 8866 §6.7).
    if let Some(&(idx, key)) = media.last().or(session.last())
        && key != "sendrecv"
    {
        let what = match key {
            "sendonly" => "the business would never receive the caller",
            "recvonly" => "the business would never send audio",
            _ => "no audio would flow either way",
        };
        ctx.at_line(&DIRECTION, idx, format!("`a={key}`: {what}"));
    }
}
