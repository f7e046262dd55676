//! The command line with `wacall serve --config FILE` folded in: each
//! setting in the file is used only when neither a flag nor an environment
//! variable gave it (flags, then the environment, then the file).

use crate::cli::{Cli, Command};
use crate::core::config::{FlagSpec, flags_from_toml};
use crate::error::CliError;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;

/// Why the command line could not be used.
pub enum ParseError {
    /// Clap's own: usage, --help, --version (it prints and exits).
    Clap(clap::Error),
    Config(CliError),
}

/// Secrets come from the environment or from files, never from the config.
fn secret_hint(long: &str) -> Option<&'static str> {
    Some(match long {
        "app-secret" => "set WACALL_APP_SECRET",
        "verify-token" => "set WACALL_VERIFY_TOKEN",
        "turn-credential" => "set WACALL_TURN_CREDENTIAL",
        _ => return None,
    })
}

fn specs(cmd: &clap::Command) -> Vec<FlagSpec> {
    cmd.get_arguments()
        .filter_map(|a| {
            let long = a.get_long()?;
            if matches!(long, "help" | "version" | "config" | "check-config") {
                return None;
            }
            let takes_value = a.get_action().takes_values();
            Some(FlagSpec {
                long: long.to_string(),
                takes_value,
                multiple: matches!(a.get_action(), clap::ArgAction::Append),
                secret: secret_hint(long).map(str::to_string),
            })
        })
        .collect()
}

pub fn parse(mut argv: Vec<OsString>) -> Result<Cli, ParseError> {
    let matches = Cli::command()
        .try_get_matches_from(&argv)
        .map_err(ParseError::Clap)?;
    let Some(("serve", sub)) = matches.subcommand() else {
        return Cli::from_arg_matches(&matches).map_err(ParseError::Clap);
    };
    let Some(path) = sub.get_one::<std::path::PathBuf>("config").cloned() else {
        return Cli::from_arg_matches(&matches).map_err(ParseError::Clap);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ParseError::Config(
            CliError::usage(format!("cannot read --config `{}`", path.display())).because(e),
        )
    })?;
    let root = Cli::command();
    let serve = root
        .find_subcommand("serve")
        .expect("serve is a subcommand");
    let flags = flags_from_toml(&text, &specs(serve)).map_err(|e| {
        ParseError::Config(
            CliError::usage(format!("--config `{}`, {e}", path.display()))
                .hint("keys are `wacall serve` long flag names, e.g. listen = \"0.0.0.0:8080\"; see `wacall serve --help`"),
        )
    })?;
    let mut used = Vec::new();
    for (key, values) in flags {
        let id = serve
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()))
            .map(|a| a.get_id().to_string())
            .unwrap_or_default();
        // Flags and the environment win over the file.
        if matches!(
            sub.value_source(&id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue;
        }
        if values.is_empty() {
            argv.push(format!("--{key}").into());
        }
        for v in values {
            argv.push(format!("--{key}").into());
            argv.push(v.into());
        }
        used.push(key);
    }
    let matches = Cli::command().try_get_matches_from(&argv).map_err(|e| {
        // A value from the file that does not parse is the file's fault.
        ParseError::Config(
            CliError::usage(format!("--config `{}`: {}", path.display(), e.kind())).hint(
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string(),
            ),
        )
    })?;
    let mut cli = Cli::from_arg_matches(&matches).map_err(ParseError::Clap)?;
    if let Command::Serve(args) = &mut cli.command {
        args.from_config = used;
    }
    Ok(cli)
}
