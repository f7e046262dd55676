use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    wacall::cmd::main(wacall::cli::Cli::parse())
}
