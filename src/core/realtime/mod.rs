//! The OpenAI Realtime API as a far end, without the socket: its GA
//! events, the session a call asks for, the playout toward the caller, the
//! conversation's state machine, and the stand-in that plays OpenAI in tests.

pub mod conversation;
pub mod events;
pub mod playout;
pub mod rtc_conversation;
pub mod session;
pub mod standin;
pub mod turns;

/// The Realtime API's PCM rate, both ways; the call's Opus codec runs at it.
pub const RATE: u32 = 24_000;

pub use conversation::{Conversation, Notice, Outgoing};
pub use events::{ClientEvent, Role, ServerEvent, Usage};
pub use rtc_conversation::RtcConversation;
pub use session::{Prices, SessionConfig, Vad};
pub use turns::TurnLatency;
