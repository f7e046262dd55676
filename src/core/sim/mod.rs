//! The simulated WhatsApp side of a call, as pure logic: its offer, the
//! gate that behaves as WhatsApp's media server, the call's timers, and the
//! diagnosis of a failed call.

pub mod call;
pub mod diagnose;
pub mod gate;
pub mod offer;
pub mod report;
