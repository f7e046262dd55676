//! `wacall sim` as I/O: the simulated WhatsApp media peer (on
//! [`crate::io::direct`], its socket gated), the fake Graph API, and the
//! webhook sender.

pub mod call;
pub mod graph_api;
pub mod peer;
pub mod run;
pub mod webhooks;
