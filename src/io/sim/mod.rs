//! `wacall sim` as I/O: the simulated WhatsApp media peer and its relay, the
//! fake Graph API, and the webhook sender.

pub mod call;
pub mod graph_api;
pub mod peer;
pub mod relay;
pub mod run;
pub mod webhooks;
