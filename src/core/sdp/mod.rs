//! SDP as text with positions: tokenizer, sections, and the attribute
//! grammars the WhatsApp rules need (candidates, rtpmap, fmtp, fingerprints).

mod attrs;
mod model;
mod tokenize;
mod transport;

pub use attrs::{AddressClass, Candidate, Fmtp, RtpMap, parse_candidate, parse_fmtp, parse_rtpmap};
pub use model::{Attr, Media, Sdp, Section};
pub use tokenize::{Ending, Line, LineKind, MAX_SDP_BYTES, tokenize};
pub use transport::{Transport, transport};
