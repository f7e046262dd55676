//! The only place that writes to the terminal. Renderers build strings (pure,
//! testable); `Term` decides color per stream and writes them.
//!
//! A closed stdout (`wacall ... | head`) is not an error: the first broken
//! pipe marks the terminal closed, later writes are dropped, and the command
//! finishes with the exit status it would have had.

pub mod bridge;
pub mod demo;
pub mod devices;
pub mod lint;
pub mod listen;
pub mod replay;
pub mod sim;
pub mod style;

use crate::cli::ColorChoice;
use std::cell::Cell;
use std::io::{self, IsTerminal, Write};

pub use style::Style;

pub struct Term {
    pub out_style: Style,
    pub err_style: Style,
    pub json: bool,
    pub quiet: bool,
    closed: Cell<bool>,
}

impl Term {
    pub fn new(choice: ColorChoice, json: bool, quiet: bool) -> Term {
        Term {
            out_style: Style::new(color_enabled(choice, io::stdout().is_terminal())),
            err_style: Style::new(color_enabled(choice, io::stderr().is_terminal())),
            json,
            quiet,
            closed: Cell::new(false),
        }
    }

    /// Writes to stdout unless quiet or the reader went away.
    pub fn out(&self, text: &str) -> io::Result<()> {
        if self.quiet || self.closed.get() {
            return Ok(());
        }
        let mut stdout = io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.set(true);
                Ok(())
            }
            other => other,
        }
    }

    /// Writes a JSON value as one line on stdout.
    pub fn json_line(&self, value: &serde_json::Value) -> io::Result<()> {
        self.out(&format!("{value}\n"))
    }

    /// Writes a JSON document, pretty-printed, on stdout.
    pub fn json_doc(&self, value: &serde_json::Value) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        self.out(&format!("{text}\n"))
    }

    /// True once stdout's reader has gone: streaming commands stop then.
    pub fn closed(&self) -> bool {
        self.closed.get()
    }

    /// Writes a notice to stderr (not subject to `-q`).
    pub fn err(&self, text: &str) {
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }

    /// `error: <message>` and, when known, `hint: <fix>` on stderr.
    pub fn error(&self, message: &str, hint: Option<&str>) {
        let s = &self.err_style;
        let mut text = format!("{} {message}\n", s.error("error:"));
        if let Some(h) = hint {
            text.push_str(&format!("{} {h}\n", s.help("hint:")));
        }
        self.err(&text);
    }
}

/// `auto` colors only a terminal, and never when NO_COLOR is set to a
/// non-empty value (no-color.org) or TERM is `dumb`.
pub fn color_enabled(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
            is_terminal && !no_color && !dumb
        }
    }
}
