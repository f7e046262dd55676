//! Which role each input plays: who wrote it, and whether it is the offer or
//! the answer.

use super::{CallDirection, Input};
use crate::core::lint::{Author, Role, SdpKind};

/// Which role each input plays. The call direction comes from `flag`, else
/// from what the inputs say (webhook `direction`, Graph `action`), else a
/// user-initiated call, which is what inbound bridges handle.
pub fn call_direction(
    flag: Option<CallDirection>,
    inputs: &[&Input],
) -> (CallDirection, &'static str) {
    if let Some(d) = flag {
        return (d, "set by --direction");
    }
    match inputs.iter().find_map(|i| i.direction) {
        Some(d) => (d, "as the input says"),
        None => (
            CallDirection::UserInitiated,
            "assumed; --direction changes it",
        ),
    }
}

pub fn role_in(direction: CallDirection, kind: SdpKind) -> Role {
    let author = match (direction, kind) {
        (CallDirection::UserInitiated, SdpKind::Offer)
        | (CallDirection::BusinessInitiated, SdpKind::Answer) => Author::WhatsApp,
        _ => Author::Business,
    };
    Role { author, kind }
}

/// Offer or answer for an input given alone: what it declares, else an SDP
/// with `a=setup:actpass` is an offer (RFC 8842 §5.2) and anything else an answer.
pub fn guess_kind(input: &Input) -> SdpKind {
    input.declared.unwrap_or_else(|| {
        let actpass = input.sdp.lines().any(|l| l.trim_end() == "a=setup:actpass");
        if actpass {
            SdpKind::Offer
        } else {
            SdpKind::Answer
        }
    })
}
