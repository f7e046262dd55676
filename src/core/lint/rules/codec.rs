//! Codecs: Opus as RFC 7587 writes it, its fmtp, DTMF at 8 kHz, and nothing
//! WhatsApp's apps cannot decode.

use super::super::Severity::{Error, Warning};
use super::super::{
    SdpKind,
    context::{Ctx, PairCtx},
    registry::Rule,
};
use super::rule;
use crate::core::sdp::{Fmtp, Media, RtpMap, Sdp, parse_fmtp, parse_rtpmap};

pub static OPUS_MISSING: Rule = rule(
    "WA014",
    "opus-missing",
    Error,
    "the audio section has no `opus/48000/2` payload type listed on its `m=` line",
    "every SDP",
    "list Opus on the `m=` line and map it with `a=rtpmap:<pt> opus/48000/2` (RFC 7587 writes it this way even for mono)",
    Some("WhatsApp's apps speak only Opus: the Graph API refuses the SDP or the call has no audio"),
    include_str!("../docs/WA014.md"),
);

pub static OPUS_FMTP: Rule = rule(
    "WA016",
    "opus-fmtp",
    Error,
    "the business Opus `a=fmtp` has a value outside RFC 7587, or one that rules out 20 ms packets",
    "business offer and answer (with the offer: against its maxptime)",
    "keep Opus parameters in range (e.g. `minptime=10;useinbandfec=1`, or echo the offer's) and never `minptime` above 20",
    None,
    include_str!("../docs/WA016.md"),
);

pub static TELEPHONE_EVENT_MISSING: Rule = rule(
    "WA017",
    "telephone-event-missing",
    Warning,
    "the business SDP has no `telephone-event/8000`, so DTMF key presses are lost",
    "business offer, and answers to offers that have it",
    "add `telephone-event/8000` at the offer's payload type (WhatsApp uses 126): `a=rtpmap:126 telephone-event/8000`",
    None,
    include_str!("../docs/WA017.md"),
);

pub static EXTRA_CODECS: Rule = rule(
    "WA018",
    "extra-codecs",
    Warning,
    "the business SDP lists codecs other than Opus and telephone-event/8000",
    "business offer and answer",
    "list only Opus and `telephone-event/8000`; add PCMA/PCMU only if `audio.additional_codecs` is enabled in the number's calling settings",
    None,
    include_str!("../docs/WA018.md"),
);

/// An `a=rtpmap` of a media section with its line.
pub(super) struct Mapped {
    pub idx: usize,
    pub map: RtpMap,
}

pub(super) fn rtpmaps(sdp: &Sdp, m: &Media) -> Vec<Mapped> {
    sdp.media_attrs(m, "rtpmap")
        .filter_map(|a| {
            Some(Mapped {
                idx: a.idx,
                map: parse_rtpmap(a.value_or_empty()).ok()?,
            })
        })
        .collect()
}

pub(super) fn opus(sdp: &Sdp, m: &Media) -> Option<Mapped> {
    rtpmaps(sdp, m).into_iter().find(|r| r.map.is("opus"))
}

pub(super) fn fmtp(sdp: &Sdp, m: &Media, pt: &str) -> Option<(usize, Fmtp)> {
    sdp.media_attrs(m, "fmtp")
        .filter_map(|a| Some((a.idx, parse_fmtp(a.value_or_empty()).ok()?)))
        .find(|(_, f)| f.pt == pt)
}

/// The codec a payload type names: from `a=rtpmap`, or RFC 3551's static table.
pub(super) fn codec_of(sdp: &Sdp, m: &Media, pt: &str) -> Option<String> {
    if let Some(r) = rtpmaps(sdp, m).into_iter().find(|r| r.map.pt == pt) {
        return Some(r.map.spec().to_ascii_lowercase());
    }
    let fixed = match pt {
        "0" => "pcmu/8000",
        "3" => "gsm/8000",
        "4" => "g723/8000",
        "8" => "pcma/8000",
        "9" => "g722/8000",
        "13" => "cn/8000",
        "18" => "g729/8000",
        _ => return None,
    };
    Some(fixed.to_string())
}

fn is_wanted(codec: &str) -> bool {
    codec.starts_with("opus/48000") || codec == "telephone-event/8000"
}

pub(super) fn check(ctx: &mut Ctx) {
    let Some(m) = ctx.audio else { return };
    opus_present(ctx, m);
    if !ctx.role.is_business() {
        return;
    }
    if let Some(o) = opus(ctx.sdp, m) {
        opus_params(ctx, m, &o.map.pt);
    }
    // An answer's DTMF and extra codecs depend on what was offered: with the
    // offer at hand, check_pair judges them.
    if !ctx.paired || ctx.role.kind == SdpKind::Offer {
        telephone_event(ctx, m);
        extra_codecs(ctx, m);
    }
}

fn opus_present(ctx: &mut Ctx, m: &Media) {
    let Some(o) = opus(ctx.sdp, m) else {
        let listed: Vec<String> = m
            .formats
            .iter()
            .filter_map(|pt| codec_of(ctx.sdp, m, pt))
            .collect();
        ctx.missing(
            &OPUS_MISSING,
            format!(
                "no Opus in the audio section (it has: {})",
                if listed.is_empty() {
                    "nothing".into()
                } else {
                    listed.join(", ")
                }
            ),
        );
        return;
    };
    if o.map.clock_rate != 48000 || o.map.channels != Some(2) {
        let spec = o.map.spec();
        ctx.at(
            &OPUS_MISSING,
            o.idx,
            &spec,
            format!("`{spec}`: RFC 7587 writes Opus as `opus/48000/2`, whatever the real rate and channels"),
        );
    }
    if !m.formats.contains(&o.map.pt) {
        let pt = o.map.pt.clone();
        ctx.at_line(
            &OPUS_MISSING,
            m.line(),
            format!("Opus is mapped to payload type {pt}, but {pt} is not listed on the `m=` line"),
        );
    }
}

fn opus_params(ctx: &mut Ctx, m: &Media, pt: &str) {
    let Some((idx, f)) = fmtp(ctx.sdp, m, pt) else {
        return;
    };
    for (k, v) in &f.params {
        let range: Option<(f64, f64)> = match k.as_str() {
            "maxplaybackrate" | "sprop-maxcapturerate" => Some((8000.0, 48000.0)),
            "maxaveragebitrate" => Some((6000.0, 510000.0)),
            "stereo" | "sprop-stereo" | "cbr" | "useinbandfec" | "usedtx" => Some((0.0, 1.0)),
            "minptime" => Some((2.5, 120.0)),
            _ => None,
        };
        let Some((lo, hi)) = range else { continue };
        let needle = format!("{k}=");
        match v.parse::<f64>() {
            Ok(n) if (lo..=hi).contains(&n) => {
                if k == "minptime" && n > 20.0 {
                    ctx.at(
                        &OPUS_FMTP,
                        idx,
                        &needle,
                        format!("`minptime={v}` rules out the 20 ms packets WhatsApp requires"),
                    );
                }
            }
            _ => {
                ctx.at(
                    &OPUS_FMTP,
                    idx,
                    &needle,
                    format!("`{k}={v}` is outside {lo}-{hi} (RFC 7587 §6.1)"),
                );
            }
        }
    }
}

fn telephone_event(ctx: &mut Ctx, m: &Media) {
    let maps = rtpmaps(ctx.sdp, m);
    if maps
        .iter()
        .any(|r| r.map.is("telephone-event") && r.map.clock_rate == 8000)
    {
        return;
    }
    let other: Vec<String> = maps
        .iter()
        .filter(|r| r.map.is("telephone-event"))
        .map(|r| r.map.spec())
        .collect();
    let message = if other.is_empty() {
        "no `telephone-event/8000`: the caller's key presses (DTMF) will not arrive".to_string()
    } else {
        format!(
            "only {}: WhatsApp sends DTMF at 8000 Hz only",
            other.join(", ")
        )
    };
    ctx.missing(&TELEPHONE_EVENT_MISSING, message);
}

/// Codecs other than Opus and DTMF/8000, as `codec (pt)`. With the offer,
/// only those it lists with the same codec: the rest are WA025's.
fn unwanted(sdp: &Sdp, m: &Media, offered: Option<(&Sdp, &Media)>) -> Vec<String> {
    m.formats
        .iter()
        .filter_map(|pt| codec_of(sdp, m, pt).map(|c| (pt, c)))
        .filter(|(pt, c)| {
            offered.is_none_or(|(o, om)| {
                om.formats.contains(pt) && codec_of(o, om, pt).as_ref() == Some(c)
            })
        })
        .filter(|(_, c)| !is_wanted(c))
        .map(|(pt, c)| format!("{c} ({pt})"))
        .collect()
}

fn extra_codecs(ctx: &mut Ctx, m: &Media) {
    let extra = unwanted(ctx.sdp, m, None);
    if !extra.is_empty() {
        ctx.missing(
            &EXTRA_CODECS,
            format!("codecs WhatsApp's apps do not decode: {}", extra.join(", ")),
        );
    }
}

pub(super) fn check_pair(ctx: &mut PairCtx) {
    let (Some(om), Some(am)) = (ctx.offer_audio, ctx.answer_audio) else {
        return;
    };
    if !ctx.answer_role.is_business() {
        return;
    }
    let offer_dtmf = rtpmaps(ctx.offer, om)
        .into_iter()
        .any(|r| r.map.is("telephone-event") && r.map.clock_rate == 8000);
    let answer_dtmf = rtpmaps(ctx.answer, am)
        .into_iter()
        .any(|r| r.map.is("telephone-event") && r.map.clock_rate == 8000);
    if offer_dtmf && !answer_dtmf {
        ctx.missing(
            &TELEPHONE_EVENT_MISSING,
            "the offer has `telephone-event/8000`, the answer does not: the caller's key presses (DTMF) will not arrive".into(),
        );
    }
    let extra = unwanted(ctx.answer, am, Some((ctx.offer, om)));
    if !extra.is_empty() {
        ctx.missing(
            &EXTRA_CODECS,
            format!("codecs WhatsApp's apps do not decode: {}", extra.join(", ")),
        );
    }
    // The answerer must be able to send 20 ms packets within the offer's maxptime.
    let max = ctx
        .offer
        .scoped_value(Some(om), "maxptime")
        .and_then(|a| a.value_or_empty().parse::<f64>().ok());
    let (Some(max), Some(o)) = (max, opus(ctx.answer, am)) else {
        return;
    };
    if let Some((idx, f)) = fmtp(ctx.answer, am, &o.map.pt)
        && let Some(min) = f.get("minptime").and_then(|v| v.parse::<f64>().ok())
        && min > max
        && min <= 20.0
    {
        ctx.at(
            &OPUS_FMTP,
            idx,
            "minptime=",
            format!("`minptime={min}` is above the offer's `a=maxptime:{max}`"),
        );
    }
}
