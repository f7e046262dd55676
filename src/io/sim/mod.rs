//! `wacall sim` as I/O: the simulated WhatsApp media peer and its gated socket, the
//! fake Graph API, and the webhook sender.

pub mod call;
pub mod gated;
pub mod graph_api;
pub mod peer;
pub mod run;
pub mod webhooks;
