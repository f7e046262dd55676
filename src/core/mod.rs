//! The pure core: no sockets, no clocks, no files, no printing. Time and
//! bytes come in as arguments, so everything here runs the same in a test.

pub mod input;
pub mod lint;
pub mod sdp;
pub mod webhook;
