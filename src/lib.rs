//! wacall: diagnose, simulate and bridge WhatsApp Business Calling API calls.
//!
//! `core` is pure (no I/O, no clock); `cmd` wires it to files, sockets and the
//! terminal; `output` is the only place that writes to the terminal.

pub mod cli;
pub mod cmd;
pub mod core;
pub mod error;
pub mod io;
pub mod output;
