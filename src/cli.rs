//! The command line, as clap derive types. Nothing here does anything: `cmd`
//! turns these into work. `--help`, the man pages and the shell completions
//! are all generated from these definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES: &str = "\
Exit status:
  0  success: no error findings, the call worked
  1  error findings (or warnings with --deny-warnings), or a failed call
  2  usage error, or input that cannot be read (missing, binary, empty, not SDP)

Environment:
  NO_COLOR  disables color when set to any non-empty value (also TERM=dumb)";

#[derive(Debug, Parser)]
#[command(
    name = "wacall",
    version,
    about = "Diagnose, simulate and bridge WhatsApp Business Calling API calls",
    long_about = "Diagnose, simulate and bridge WhatsApp Business Calling API calls.\n\n\
        A WhatsApp call fails silently when the business side's SDP answer breaks one of \
        WhatsApp's rules: the phone rings, connects, stays silent, and Meta hangs up after \
        about 20 seconds (error 138021). wacall checks SDPs against those rules, plays \
        Meta's side of a call on loopback, and bridges real calls to a far end.",
    after_long_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Machine-readable output: one JSON document, or JSON Lines for commands that stream
    #[arg(long, global = true)]
    pub json: bool,
    /// Log more to stderr: -v for steps, -vv for protocol detail
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print nothing on stdout; the exit status tells the result
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an SDP offer and answer against WhatsApp's rules
    #[command(after_long_help = EXIT_CODES)]
    LintSdp(LintSdpArgs),
    /// Print or write shell completions
    Completions(CompletionsArgs),
    /// Write the man pages
    Man(ManArgs),
}

#[derive(Debug, Args)]
#[command(
    long_about = "Check an SDP offer and answer against WhatsApp's rules.\n\n\
        Each input may be raw SDP (CRLF or LF), a WhatsApp webhook body, a Graph API /calls \
        request body (pre_accept, accept, connect), a {\"type\",\"sdp\"} description, or a \
        JSON string holding an escaped SDP; `-` reads stdin. Given one input alone, wacall \
        takes it as an offer if it says so (or has a=setup:actpass), else as an answer.\n\n\
        In a user-initiated call WhatsApp offers and the business answers; in a \
        business-initiated call the roles swap. Rules apply to the role each SDP plays."
)]
pub struct LintSdpArgs {
    /// The offer (or, given alone, whichever SDP it is)
    #[arg(value_name = "OFFER", conflicts_with_all = ["list_rules", "explain"])]
    pub first: Option<PathBuf>,
    /// The answer
    #[arg(value_name = "ANSWER", conflicts_with_all = ["answer"])]
    pub second: Option<PathBuf>,
    /// The offer, by flag
    #[arg(long, value_name = "FILE", conflicts_with_all = ["list_rules", "explain"])]
    pub offer: Option<PathBuf>,
    /// The answer, by flag
    #[arg(long, value_name = "FILE", conflicts_with_all = ["list_rules", "explain"])]
    pub answer: Option<PathBuf>,
    /// Who placed the call; by default taken from the inputs, else user-initiated
    #[arg(long, value_enum, value_name = "WHO")]
    pub direction: Option<DirectionArg>,
    /// Exit 1 on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print a rule's documentation (by code, e.g. WA003, or name)
    #[arg(long, value_name = "RULE", conflicts_with = "list_rules")]
    pub explain: Option<String>,
    /// List every rule
    #[arg(long)]
    pub list_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// The user calls the business: WhatsApp offers
    #[value(name = "user-initiated", alias = "user")]
    UserInitiated,
    /// The business calls the user: WhatsApp answers
    #[value(name = "business-initiated", alias = "business")]
    BusinessInitiated,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write the file into this directory instead of printing it
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write wacall.1 and one page per subcommand into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
