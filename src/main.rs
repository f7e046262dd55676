use std::process::ExitCode;
use wacall::cmd::config::{ParseError, parse};

fn main() -> ExitCode {
    match parse(std::env::args_os().collect()) {
        Ok(cli) => wacall::cmd::main(cli),
        Err(ParseError::Clap(e)) => e.exit(),
        Err(ParseError::Config(e)) => {
            let term = wacall::output::Term::new(wacall::cli::ColorChoice::Auto, false, false);
            term.error(&e.to_string(), e.hint.as_deref());
            ExitCode::from(e.exit)
        }
    }
}
