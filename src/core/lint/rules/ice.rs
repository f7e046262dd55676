//! ICE: who runs it (never ICE-lite on the business side), its credentials,
//! and whether the business side gave WhatsApp anything reachable.

use super::super::Severity::{Error, Warning};
use super::super::{context::Ctx, registry::Rule};
use super::rule;
use crate::core::sdp::{AddressClass, parse_candidate};

pub static BUSINESS_ICE_LITE: Rule = rule(
    "WA003",
    "business-ice-lite",
    Error,
    "the business SDP declares ICE-lite, so neither side sends connectivity checks",
    "business offer and answer",
    "remove `a=ice-lite` and run a full ICE agent that takes the controlling role (webrtc-rs: do not enable lite mode; aiortc: do not set ice-lite)",
    Some("the call connects in signalling, stays silent, and ends after ~20 s with 138021"),
    include_str!("../docs/WA003.md"),
);

pub static ICE_CREDENTIALS: Rule = rule(
    "WA007",
    "ice-credentials",
    Error,
    "`a=ice-ufrag` or `a=ice-pwd` is missing, or outside RFC 8839's lengths and characters",
    "every SDP (characters: business SDP only)",
    "state one `a=ice-ufrag` (4-256 characters) and one `a=ice-pwd` (22-256 characters) made of letters, digits, `+` and `/`",
    Some("connectivity checks fail STUN message integrity; the call ends after ~20 s with 138021"),
    include_str!("../docs/WA007.md"),
);

pub static NO_CANDIDATES: Rule = rule(
    "WA008",
    "no-candidates",
    Error,
    "the business SDP carries no usable ICE candidate",
    "business offer and answer",
    "wait until ICE gathering is complete (or has a server-reflexive, relay or public host candidate) before taking the SDP; there is no API to trickle candidates later",
    Some(
        "ICE stays in checking when the business side's checks cannot reach Meta; the call ends after ~20 s with 138021",
    ),
    include_str!("../docs/WA008.md"),
);

pub static PRIVATE_CANDIDATES_ONLY: Rule = rule(
    "WA009",
    "private-candidates-only",
    Warning,
    "every business candidate is private, loopback, link-local or mDNS: fine on a LAN, unreachable through NAT",
    "business offer and answer",
    "add a STUN server (`--stun`), a TURN server (`--turn`), or advertise the server's public address (`--public-ip`)",
    Some("behind NAT, no media path forms and the call ends after ~20 s with 138021"),
    include_str!("../docs/WA009.md"),
);

pub static TRICKLE_ICE: Rule = rule(
    "WA010",
    "trickle-ice",
    Warning,
    "the business SDP announces trickle ICE, but the Graph API has no way to send later candidates",
    "business offer and answer",
    "gather completely before sending the SDP and drop `a=ice-options:trickle`",
    None,
    include_str!("../docs/WA010.md"),
);

pub(super) fn check(ctx: &mut Ctx) {
    if ctx.role.is_business() {
        let lite: Vec<usize> = ctx
            .sdp
            .scoped_attrs(ctx.audio, "ice-lite")
            .iter()
            .map(|a| a.idx)
            .collect();
        for idx in lite {
            let message = format!("{} declares ICE-lite", ctx.role.describe());
            ctx.at_line(&BUSINESS_ICE_LITE, idx, message);
        }
        candidates(ctx);
        trickle(ctx);
    }
    credentials(ctx);
}

fn audio_attrs<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = crate::core::sdp::Attr<'a>> {
    let sdp = ctx.sdp;
    ctx.audio
        .into_iter()
        .flat_map(move |m| sdp.attrs(m.section))
}

fn credentials(ctx: &mut Ctx) {
    let business = ctx.role.is_business();
    for (key, min) in [("ice-ufrag", 4), ("ice-pwd", 22)] {
        let Some(a) = ctx.sdp.scoped_value(ctx.audio, key) else {
            ctx.missing(
                &ICE_CREDENTIALS,
                format!("no `a={key}`: ICE cannot authenticate connectivity checks"),
            );
            continue;
        };
        let v = a.value_or_empty();
        let len = v.chars().count();
        if !(min..=256).contains(&len) {
            ctx.at_line(
                &ICE_CREDENTIALS,
                a.idx,
                format!("`a={key}` is {len} characters; RFC 8839 requires {min}-256"),
            );
        } else if business {
            // WhatsApp's own ice-pwd ends in `==`, outside ice-char; only the
            // business side is held to the grammar.
            if let Some(c) = v
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '+' || *c == '/'))
            {
                ctx.at(
                    &ICE_CREDENTIALS,
                    a.idx,
                    &c.to_string(),
                    format!("`a={key}` contains `{c}`, which is not an RFC 8839 ice-char"),
                );
            }
        }
    }
}

fn candidates(ctx: &mut Ctx) {
    let cands: Vec<_> = audio_attrs(ctx)
        .chain(ctx.sdp.attrs(ctx.sdp.session))
        .filter(|a| a.key == "candidate")
        .filter_map(|a| parse_candidate(a.value_or_empty()).ok())
        .filter(|c| c.component == 1)
        .collect();
    if cands.is_empty() {
        let port = ctx.audio.and_then(|m| m.port);
        let trickle = trickle_attr(ctx).is_some();
        let mut message = "no ICE candidates".to_string();
        if port == Some(9) {
            message.push_str(" (port 9 is the placeholder for \"none yet\")");
        }
        if trickle {
            message.push_str(
                "; `a=ice-options:trickle` promises more, but the Graph API cannot deliver them",
            );
        }
        ctx.missing(&NO_CANDIDATES, message);
        return;
    }
    let usable = cands.iter().any(|c| {
        matches!(c.typ.as_str(), "srflx" | "relay" | "prflx")
            || AddressClass::of(&c.address).reachable_from_internet()
    });
    if !usable {
        let listed: Vec<String> = cands
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    c.address,
                    AddressClass::of(&c.address).describe()
                )
            })
            .collect();
        ctx.missing(
            &PRIVATE_CANDIDATES_ONLY,
            format!("only local candidates: {}", listed.join(", ")),
        );
    }
}

fn trickle_attr<'a>(ctx: &Ctx<'a>) -> Option<crate::core::sdp::Attr<'a>> {
    ctx.sdp
        .scoped_attrs(ctx.audio, "ice-options")
        .into_iter()
        .find(|a| a.value_or_empty().split(' ').any(|o| o == "trickle"))
}

fn trickle(ctx: &mut Ctx) {
    if let Some(a) = trickle_attr(ctx) {
        ctx.at(
            &TRICKLE_ICE,
            a.idx,
            "trickle",
            "`a=ice-options:trickle`: WhatsApp will only ever see the candidates in this SDP"
                .into(),
        );
    }
}
