//! An answer against its offer (RFC 8829 §5.3, RFC 3264 §6): same mid and
//! BUNDLE group, the offer's payload types, and nothing the offer lacks.

use super::super::Severity::Error;
use super::super::{context::PairCtx, registry::Rule};
use super::codec::{codec_of, opus};
use super::rule;
use crate::core::sdp::{Media, Sdp};

pub static OPUS_PAYLOAD_TYPE: Rule = rule(
    "WA015",
    "opus-payload-type",
    Error,
    "the answer puts Opus at a different payload type than the offer",
    "offer and answer together",
    "answer Opus at the offer's payload type (111 in every real WhatsApp offer); webrtc-rs does this when Opus is registered with a compatible fmtp",
    Some(
        "WhatsApp drops packets with a payload type it did not offer: silence, then 138021 after ~20 s",
    ),
    include_str!("../docs/WA015.md"),
);

pub static MID_MISMATCH: Rule = rule(
    "WA023",
    "mid-mismatch",
    Error,
    "the answer's `a=mid` differs from the offer's",
    "offer and answer together",
    "copy the offer's `a=mid` (WhatsApp's is `audio`) into the answer's audio section",
    None,
    include_str!("../docs/WA023.md"),
);

pub static BUNDLE_MISMATCH: Rule = rule(
    "WA024",
    "bundle-mismatch",
    Error,
    "the answer's `a=group:BUNDLE` does not match the offer's",
    "offer and answer together",
    "answer `a=group:BUNDLE <mid>` with the offer's mid, or leave BUNDLE out when the offer has none",
    None,
    include_str!("../docs/WA024.md"),
);

pub static NOT_IN_OFFER: Rule = rule(
    "WA025",
    "not-in-offer",
    Error,
    "the answer adds payload types, codecs, header extensions or media sections the offer did not have",
    "offer and answer together",
    "answer with a subset of the offer: its payload types with the same codecs, its `a=extmap` URIs, its media sections",
    Some(
        "WhatsApp cannot decode what it did not offer: the Graph API refuses the SDP, or the audio is garbage",
    ),
    include_str!("../docs/WA025.md"),
);

pub(super) fn check(ctx: &mut PairCtx) {
    sections(ctx);
    let (Some(om), Some(am)) = (ctx.offer_audio, ctx.answer_audio) else {
        return;
    };
    payload_types(ctx, om, am);
    header_extensions(ctx, om, am);
    mid(ctx, om, am);
    bundle(ctx);
}

fn sections(ctx: &mut PairCtx) {
    let (offered, answered) = (ctx.offer.media.len(), ctx.answer.media.len());
    if answered > offered {
        let idx = ctx.answer.media[offered].line();
        ctx.at(
            &NOT_IN_OFFER,
            idx,
            "",
            format!("the answer has {answered} media sections, the offer {offered}"),
        );
    }
}

fn payload_types(ctx: &mut PairCtx, om: &Media, am: &Media) {
    if let (Some(o), Some(a)) = (opus(ctx.offer, om), opus(ctx.answer, am))
        && o.map.pt != a.map.pt
    {
        let (opt, apt) = (o.map.pt.clone(), a.map.pt.clone());
        ctx.at(
            &OPUS_PAYLOAD_TYPE,
            a.idx,
            &apt,
            format!("Opus is at payload type {apt} in the answer but {opt} in the offer"),
        );
    }
    for pt in &am.formats {
        let answered = codec_of(ctx.answer, am, pt);
        let offered = if om.formats.contains(pt) {
            codec_of(ctx.offer, om, pt)
        } else {
            None
        };
        let line = rtpmap_line(ctx.answer, am, pt).unwrap_or(am.line());
        match (offered, answered) {
            (None, a) => {
                let what = a.map(|c| format!(" ({c})")).unwrap_or_default();
                ctx.at(
                    &NOT_IN_OFFER,
                    line,
                    pt,
                    format!("payload type {pt}{what} is not in the offer"),
                );
            }
            (Some(o), Some(a)) if !same_codec(&o, &a) => {
                ctx.at(
                    &NOT_IN_OFFER,
                    line,
                    pt,
                    format!("payload type {pt} is {a} in the answer but {o} in the offer"),
                );
            }
            _ => {}
        }
    }
}

/// `opus/48000/2` and `OPUS/48000/2` are the same; `telephone-event/8000` and
/// `telephone-event/48000` are not (webrtc-rs once confused them).
fn same_codec(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn rtpmap_line(sdp: &Sdp, m: &Media, pt: &str) -> Option<usize> {
    sdp.media_attrs(m, "rtpmap")
        .find(|a| a.value_or_empty().split(' ').next() == Some(pt))
        .map(|a| a.idx)
}

fn header_extensions(ctx: &mut PairCtx, om: &Media, am: &Media) {
    let uri = |v: &str| v.split(' ').nth(1).unwrap_or("").to_string();
    let offered: Vec<String> = ctx
        .offer
        .scoped_attrs(Some(om), "extmap")
        .iter()
        .map(|a| uri(a.value_or_empty()))
        .collect();
    let extra: Vec<(usize, String)> = ctx
        .answer
        .scoped_attrs(Some(am), "extmap")
        .iter()
        .map(|a| (a.idx, uri(a.value_or_empty())))
        .filter(|(_, u)| !offered.contains(u))
        .collect();
    for (idx, u) in extra {
        ctx.at(
            &NOT_IN_OFFER,
            idx,
            &u,
            format!("RTP header extension `{u}` is not in the offer"),
        );
    }
}

fn mid(ctx: &mut PairCtx, om: &Media, am: &Media) {
    let Some(offered) = ctx.offer.media_attrs(om, "mid").next() else {
        return;
    };
    let o = offered.value_or_empty().to_string();
    match ctx.answer.media_attrs(am, "mid").next() {
        None => {
            ctx.missing(
                &MID_MISMATCH,
                format!("no `a=mid`; the offer's audio is `a=mid:{o}`"),
            );
        }
        Some(a) if a.value_or_empty() != o => {
            let v = a.value_or_empty().to_string();
            ctx.at(
                &MID_MISMATCH,
                a.idx,
                &v,
                format!("`a=mid:{v}` but the offer's audio is `a=mid:{o}`"),
            );
        }
        Some(_) => {}
    }
}

fn bundle_of(sdp: &Sdp) -> Option<(usize, Vec<String>)> {
    sdp.session_attrs("group")
        .find(|a| a.value_or_empty().split(' ').next() == Some("BUNDLE"))
        .map(|a| {
            (
                a.idx,
                a.value_or_empty()
                    .split(' ')
                    .skip(1)
                    .map(str::to_string)
                    .collect(),
            )
        })
}

fn bundle(ctx: &mut PairCtx) {
    match (bundle_of(ctx.offer), bundle_of(ctx.answer)) {
        (Some((_, o)), None) => {
            let idx = ctx.answer.field(ctx.answer.session, 't').unwrap_or(0);
            ctx.at(
                &BUNDLE_MISMATCH,
                idx,
                "",
                format!("no `a=group:BUNDLE`; the offer bundles `{}`", o.join(" ")),
            );
        }
        (None, Some((idx, _))) => {
            ctx.at(
                &BUNDLE_MISMATCH,
                idx,
                "",
                "`a=group:BUNDLE` in the answer, but the offer has none".into(),
            );
        }
        (Some((_, o)), Some((idx, a))) => {
            if let Some(extra) = a.iter().find(|m| !o.contains(m)) {
                let extra = extra.clone();
                ctx.at(
                    &BUNDLE_MISMATCH,
                    idx,
                    &extra,
                    format!(
                        "BUNDLE names `{extra}`, which the offer's group (`{}`) does not",
                        o.join(" ")
                    ),
                );
            } else if a.is_empty() {
                ctx.at(
                    &BUNDLE_MISMATCH,
                    idx,
                    "",
                    "the BUNDLE group names no mid".into(),
                );
            }
        }
        (None, None) => {}
    }
}
