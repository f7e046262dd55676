//! DTLS-SRTP: the transport profile, who is the DTLS client, and the one
//! sha-256 fingerprint Meta accepts.

use super::super::Severity::Error;
use super::super::{
    Author, SdpKind,
    context::{Ctx, PairCtx},
    registry::Rule,
};
use super::rule;

pub static DTLS_SETUP: Rule = rule(
    "WA004",
    "dtls-setup",
    Error,
    "`a=setup` is wrong for the SDP's role: the business answer must be `active`, every offer `actpass`",
    "every SDP",
    "answer with `a=setup:active` so the business side is the DTLS client (webrtc-rs: `with_answering_dtls_role(Client)`); offer with `a=setup:actpass`",
    Some(
        "WhatsApp never starts DTLS on a user-initiated call: no keys, no audio, the call ends after ~20 s with 138021",
    ),
    include_str!("../docs/WA004.md"),
);

pub static FINGERPRINT_COUNT: Rule = rule(
    "WA005",
    "fingerprint-count",
    Error,
    "the SDP does not carry exactly one `a=fingerprint` (business side), or none at all (WhatsApp side)",
    "every SDP (more than one: business SDP only)",
    "keep exactly one `a=fingerprint:sha-256 ...` line and delete the sha-384/sha-512 ones",
    Some(
        "Graph API 400, code 100, subcode 2494010: \"Fingerprint algo is not SHA256\"; with none: \"No fingerprint found in SDP\"",
    ),
    include_str!("../docs/WA005.md"),
);

pub static FINGERPRINT_ALGORITHM: Rule = rule(
    "WA006",
    "fingerprint-algorithm",
    Error,
    "the business fingerprint is not sha-256, or not 32 colon-separated hex bytes",
    "business offer and answer",
    "use the certificate's SHA-256 digest: `a=fingerprint:sha-256` and 32 hex bytes joined by `:`",
    Some("Graph API 400, code 100, subcode 2494010: \"Fingerprint algo is not SHA256\""),
    include_str!("../docs/WA006.md"),
);

pub static TRANSPORT_PROFILE: Rule = rule(
    "WA011",
    "transport-profile",
    Error,
    "the audio section's transport is not `UDP/TLS/RTP/SAVPF` (DTLS-SRTP), which Graph API calls use",
    "every SDP",
    "use `m=audio <port> UDP/TLS/RTP/SAVPF ...`; SDES (`RTP/SAVP` with `a=crypto`) exists only on Meta's SIP route",
    None,
    include_str!("../docs/WA011.md"),
);

pub static SDES_CRYPTO: Rule = rule(
    "WA012",
    "sdes-crypto",
    Error,
    "`a=crypto` (SDES keys) appears in a DTLS-SRTP section",
    "every SDP",
    "remove the `a=crypto` lines: keys come from the DTLS handshake on this profile",
    None,
    include_str!("../docs/WA012.md"),
);

pub static DTLS_ROLE_CONFLICT: Rule = rule(
    "WA026",
    "dtls-role-conflict",
    Error,
    "the offer's and the answer's `a=setup` roles do not pair up (RFC 8842 §5.2)",
    "offer and answer together",
    "answer `actpass` with `active` (or `passive`), `active` with `passive`, and `passive` with `active`",
    None,
    include_str!("../docs/WA026.md"),
);

pub(super) fn check(ctx: &mut Ctx) {
    setup(ctx);
    fingerprints(ctx);
    profile(ctx);
}

fn setup(ctx: &mut Ctx) {
    let attr = ctx.sdp.scoped_value(ctx.audio, "setup");
    let value = attr.map(|a| a.value_or_empty());
    let (ok, want) = match (ctx.role.kind, ctx.role.author) {
        (SdpKind::Offer, _) => (
            value == Some("actpass"),
            "`actpass` (an offerer leaves the choice to the answerer)",
        ),
        (SdpKind::Answer, Author::Business) => (
            value == Some("active"),
            "`active`: WhatsApp is the DTLS server and never sends the ClientHello",
        ),
        (SdpKind::Answer, Author::WhatsApp) => (
            matches!(value, Some("active" | "passive")),
            "`active` or `passive`",
        ),
    };
    if ok {
        return;
    }
    let role = ctx.role.describe();
    match attr {
        Some(a) => {
            let v = a.value_or_empty();
            ctx.at(
                &DTLS_SETUP,
                a.idx,
                v,
                format!("{role} has `a=setup:{v}`; it must be {want}"),
            );
        }
        None => {
            ctx.missing(
                &DTLS_SETUP,
                format!("{role} has no `a=setup`; it must be {want}"),
            );
        }
    }
}

fn fingerprints(ctx: &mut Ctx) {
    let all = ctx.sdp.scoped_attrs(ctx.audio, "fingerprint");
    let business = ctx.role.is_business();
    if all.is_empty() {
        ctx.missing(
            &FINGERPRINT_COUNT,
            "no `a=fingerprint`: the DTLS certificate cannot be verified".into(),
        )
        .with_hint(if business {
            "add the certificate's `a=fingerprint:sha-256 ...`; if the stack printed one, something stripped it in transit"
        } else {
            "WhatsApp always sends one: check that the SDP was copied whole"
        });
        return;
    }
    if !business {
        return;
    }
    if all.len() > 1 {
        let algos: Vec<&str> = all
            .iter()
            .map(|a| a.value_or_empty().split(' ').next().unwrap_or(""))
            .collect();
        ctx.at_line(
            &FINGERPRINT_COUNT,
            all[1].idx,
            format!(
                "{} `a=fingerprint` lines ({}); Meta accepts exactly one",
                all.len(),
                algos.join(", ")
            ),
        );
    }
    for a in &all {
        let Some((algo, hex)) = a.value_or_empty().split_once(' ') else {
            continue; // WA027 reports the form.
        };
        if !algo.eq_ignore_ascii_case("sha-256") {
            ctx.at(
                &FINGERPRINT_ALGORITHM,
                a.idx,
                algo,
                format!("fingerprint uses `{algo}`, not sha-256"),
            );
        } else if !is_sha256_hex(hex) {
            ctx.at(
                &FINGERPRINT_ALGORITHM,
                a.idx,
                hex,
                format!("`{hex}` is not 32 colon-separated hex bytes"),
            );
        }
    }
}

fn is_sha256_hex(hex: &str) -> bool {
    let bytes: Vec<&str> = hex.split(':').collect();
    bytes.len() == 32
        && bytes
            .iter()
            .all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()))
}

fn profile(ctx: &mut Ctx) {
    let Some(m) = ctx.audio else { return };
    let dtls = m.proto.eq_ignore_ascii_case("UDP/TLS/RTP/SAVPF");
    if !dtls {
        let proto = m.proto.clone();
        ctx.at(
            &TRANSPORT_PROFILE,
            m.line(),
            &proto,
            format!("audio transport is `{proto}`, not `UDP/TLS/RTP/SAVPF`"),
        );
        return;
    }
    let crypto: Vec<usize> = ctx
        .sdp
        .scoped_attrs(Some(m), "crypto")
        .iter()
        .map(|a| a.idx)
        .collect();
    for idx in crypto {
        ctx.at_line(
            &SDES_CRYPTO,
            idx,
            "`a=crypto` on a DTLS-SRTP section: SDES keys and DTLS keys cannot both apply".into(),
        );
    }
}

pub(super) fn check_pair(ctx: &mut PairCtx) {
    let offered = ctx
        .offer
        .scoped_value(ctx.offer_audio, "setup")
        .map(|a| a.value_or_empty());
    let Some(answered) = ctx.answer.scoped_value(ctx.answer_audio, "setup") else {
        return;
    };
    let a = answered.value_or_empty();
    if !matches!(a, "active" | "passive" | "actpass" | "holdconn") {
        return; // not a role at all: WA027 reports it.
    }
    let compatible = match offered {
        Some("actpass") | None => matches!(a, "active" | "passive"),
        Some("active") => a == "passive",
        Some("passive") => a == "active",
        Some(_) => true, // holdconn or garbage: WA004/WA027 report the offer.
    };
    if !compatible {
        let o = offered.unwrap_or("");
        ctx.at(
            &DTLS_ROLE_CONFLICT,
            answered.idx,
            a,
            format!("the offer says `setup:{o}` and the answer `setup:{a}`: that is not one DTLS client and one server"),
        );
    }
}
