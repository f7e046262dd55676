//! One file per subcommand. Each turns its arguments into a validated
//! configuration, runs the core and the shells, and hands text to `output`.

mod bridge;
pub mod config;
mod demo;
mod devices;
mod generate;
mod lint_sdp;
mod listen;
mod openai;
mod printer;
mod replay;
mod replay_forward;
mod serve;
mod sim;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::output::Term;
use std::process::ExitCode;

/// Runs a parsed command line and returns the process exit status.
pub fn main(cli: Cli) -> ExitCode {
    let g = &cli.global;
    let term = Term::new(g.color, g.json, g.quiet);
    init_logging(g.verbose, g.quiet, term.err_style.color);
    let result = match cli.command {
        Command::LintSdp(args) => lint_sdp::run(&args, &term),
        Command::Bridge(args) => bridge::run(&args, &term),
        Command::Demo(args) => demo::run(&args, &term),
        Command::Sim(args) => sim::run(&args, &term),
        Command::Devices => devices::run(&term),
        Command::Serve(args) => serve::run(&args, &term),
        Command::Replay(args) => replay::run(&args, &term),
        Command::Listen(args) => listen::run(&args, &term),
        Command::Completions(args) => generate::completions(&args, &term),
        Command::Man(args) => generate::man(&args, &term),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            term.error(&e.to_string(), e.hint.as_deref());
            ExitCode::from(e.exit)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool, ansi: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "wacall=info,warn",
        (_, 2) => "wacall=debug,info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WACALL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(verbose > 1)
        .try_init();
}

/// Reads a file, or stdin for `-`.
pub(crate) fn read_input(path: &std::path::Path) -> Result<(String, Vec<u8>), CliError> {
    use std::io::Read;
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(crate::core::input::MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::usage("cannot read stdin").because(e))?;
        return Ok(("<stdin>".into(), buf));
    }
    let label = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        CliError::usage(format!("cannot read `{label}`"))
            .because(e)
            .hint("check the path, or pass `-` to read from stdin")
    })?;
    if meta.is_dir() {
        return Err(CliError::usage(format!(
            "`{label}` is a directory, not a file"
        )));
    }
    if meta.len() > crate::core::input::MAX_INPUT_BYTES as u64 {
        return Err(CliError::usage(format!(
            "`{label}` is {} bytes, over the {}-byte limit",
            meta.len(),
            crate::core::input::MAX_INPUT_BYTES
        ))
        .hint("pass the SDP itself, or the webhook body that carries it"));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::usage(format!("cannot read `{label}`")).because(e))?;
    Ok((label, bytes))
}

/// Maps an output failure (other than a closed pipe, which `Term` absorbs).
pub(crate) fn write_failed(e: std::io::Error) -> CliError {
    CliError::failed("cannot write the output").because(e)
}

/// A Tokio runtime for the commands that do network I/O.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime").because(e))
}

/// Becomes true on Ctrl-C or SIGTERM.
pub(crate) fn stop_signal() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        interrupted().await;
        let _ = tx.send(true);
    });
    rx
}

/// Becomes `Some(value)` on Ctrl-C or SIGTERM.
pub(crate) fn stop_with<T: Clone + Send + Sync + 'static>(
    value: T,
) -> tokio::sync::watch::Receiver<Option<T>> {
    let (tx, rx) = tokio::sync::watch::channel(None);
    tokio::spawn(async move {
        interrupted().await;
        let _ = tx.send(Some(value));
    });
    rx
}

async fn interrupted() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
