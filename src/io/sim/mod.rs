//! `wacall sim` as I/O: the simulated WhatsApp media peer and its relay, the
//! fake Graph API, and the webhook sender.

pub mod peer;
pub mod relay;
