//! Where a call's output goes (bridge, listen, demo): its events as lines
//! or `--json`, a live status line on a terminal, and the answer written
//! where it was asked for.

use super::write_failed;
use crate::cli::AnswerFormat;
use crate::core::graph::{Action, CallRequest};
use crate::error::CliError;
use crate::io::bridge::Event;
use crate::output::{Term, bridge as render};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Where the answer goes: printed, to a file, or nowhere (Graph sends it).
pub struct AnswerOut {
    pub graph: bool,
    pub path: Option<std::path::PathBuf>,
    pub format: AnswerFormat,
}

/// Where the bridge's output goes, and the live status line on a terminal.
pub struct Printer<'a> {
    term: &'a Term,
    to_stderr: bool,
    live: Option<ProgressBar>,
}

impl<'a> Printer<'a> {
    pub fn new(term: &'a Term, to_stderr: bool) -> Printer<'a> {
        let tty = if to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        let live = (tty && !term.json && !term.quiet).then(|| {
            let target = if to_stderr {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::stdout()
            };
            let bar = ProgressBar::with_draw_target(None, target);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}").expect("a fixed template"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Printer {
            term,
            to_stderr,
            live,
        }
    }

    pub fn style(&self) -> crate::output::Style {
        if self.to_stderr {
            self.term.err_style
        } else {
            self.term.out_style
        }
    }

    pub fn emit(&self, human: String, json: serde_json::Value) -> Result<(), CliError> {
        let text = if self.term.json {
            format!("{json}\n")
        } else {
            human
        };
        if let Some(bar) = &self.live {
            bar.suspend(|| self.write(&text))
        } else {
            self.write(&text)
        }
    }

    fn write(&self, text: &str) -> Result<(), CliError> {
        if self.to_stderr {
            if !self.term.quiet {
                self.term.err(text);
            }
            Ok(())
        } else {
            self.term.out(text).map_err(write_failed)
        }
    }

    pub fn event(&self, e: &Event, out: &AnswerOut, call_id: Option<&str>) -> Result<(), CliError> {
        let s = self.style();
        match e {
            Event::Step { at, what } => {
                self.emit(render::step(*at, what, &s), render::step_json(*at, what))
            }
            Event::Graph { at, outcome } => self.emit(
                render::graph(*at, outcome, &s),
                render::graph_json(*at, outcome),
            ),
            Event::Stats { .. } | Event::Note { .. } => self.emit_live(e),
            Event::Answer {
                sdp,
                findings,
                sent,
            } => {
                self.emit(
                    render::findings(findings, *sent, &s),
                    render::answer_json(sdp, findings, *sent),
                )?;
                if *sent {
                    write_answer(self.term, out, sdp, call_id)?;
                }
                Ok(())
            }
        }
    }

    /// Stats and notes: the live line, or lines with --json.
    pub fn emit_live(&self, e: &Event) -> Result<(), CliError> {
        let s = self.style();
        match e {
            Event::Stats { at, traffic } => {
                if let Some(bar) = &self.live {
                    bar.set_message(render::status(*at, traffic));
                    Ok(())
                } else if self.term.json {
                    self.emit(String::new(), render::stats_json(*at, traffic))
                } else {
                    Ok(())
                }
            }
            Event::Note { at, note } => {
                let what = format!("{}: {}", note.kind, note.text);
                self.emit(render::step(*at, &what, &s), render::step_json(*at, &what))
            }
            _ => Ok(()),
        }
    }

    /// A line for the person at the terminal (stderr), outside --json.
    pub fn note(&self, text: &str) {
        if !self.term.quiet {
            self.term.err(&format!("{text}\n"));
        }
    }

    /// A question on stderr, without a newline, the live line held back.
    pub fn prompt(&self, text: &str) {
        let ask = || {
            eprint!("{text}");
        };
        match &self.live {
            Some(bar) => bar.suspend(ask),
            None => ask(),
        }
    }

    pub fn done(&self) {
        if let Some(bar) = &self.live {
            bar.finish_and_clear();
        }
    }
}

/// The answer, as raw SDP or a Graph accept body, to --answer-out or stdout.
fn write_answer(
    term: &Term,
    out: &AnswerOut,
    sdp: &str,
    call_id: Option<&str>,
) -> Result<(), CliError> {
    if out.graph && out.path.is_none() {
        return Ok(());
    }
    let text = match out.format {
        AnswerFormat::Sdp => sdp.to_string(),
        AnswerFormat::Graph => {
            let body = CallRequest::new(Action::Accept, call_id.unwrap_or("<CALL_ID>"), Some(sdp));
            serde_json::to_string_pretty(&body).expect("serialisable") + "\n"
        }
    };
    match &out.path {
        Some(path) => crate::io::outfile::write(path, text.as_bytes()).map_err(|e| {
            CliError::failed(format!("cannot write --answer-out `{}`", path.display())).because(e)
        }),
        None => term.out(&text).map_err(write_failed),
    }
}
