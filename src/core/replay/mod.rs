//! `wacall replay`, offline: captured webhooks in, what happened out.

mod load;
pub mod plan;
mod story;

pub use load::{Delivery, LoadError, load};
pub use story::{Anomaly, AnomalyKind, Call, Event, Explanation, Signature, Story, tell};

#[cfg(test)]
mod tests;

/// The lint rules that catch the usual causes of a calling error, so a
/// failed call points at the checks to run on its answer.
pub fn rules_for(code: i64) -> &'static [&'static str] {
    match code {
        // No media from the business: the answer never let ICE or DTLS
        // finish, or nothing was sent after accept.
        138021..=138023 => &[
            "WA003", "WA004", "WA005", "WA006", "WA008", "WA009", "WA014", "WA015", "WA021",
        ],
        138019 | 138007 => &[
            "WA004", "WA005", "WA006", "WA007", "WA013", "WA015", "WA025", "WA026",
        ],
        138020 => &["WA008", "WA009"],
        _ => &[],
    }
}
