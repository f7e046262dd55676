//! The pure core: no sockets, no clocks, no files, no printing. Time and
//! bytes come in as arguments, so everything here runs the same in a test.

pub mod audio;
pub mod bridge;
pub mod capture;
pub mod config;
pub mod graph;
pub mod input;
pub mod lint;
pub mod metrics;
pub mod realtime;
pub mod relay;
pub mod replay;
pub mod rtp;
pub mod sdp;
pub mod sim;
pub mod stun;
pub mod webhook;
