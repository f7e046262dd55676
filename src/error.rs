//! The error a command ends with: what failed, why, and what fixes it.
//!
//! Printed by `main` as `error: <what failed>: <cause>` and a `hint:` line;
//! its exit code is 2 for usage and unreadable input, 1 for a failed run.

use std::fmt;

#[derive(Debug)]
pub struct CliError {
    pub exit: u8,
    pub message: String,
    pub hint: Option<String>,
    pub source: Option<anyhow::Error>,
}

impl CliError {
    /// Bad arguments or unreadable input: exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: 2,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// The run itself failed (a call, a server): exit 1.
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            exit: 1,
            ..CliError::usage(message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn because(mut self, source: impl Into<anyhow::Error>) -> Self {
        self.source = Some(source.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(s) = &self.source {
            write!(f, ": {s:#}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

pub type Result<T, E = CliError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_joins_the_cause_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = CliError::usage("cannot read `offer.sdp`")
            .because(anyhow::Error::new(io).context("open"))
            .hint("pass `-` to read from stdin");
        assert_eq!(
            e.to_string(),
            "cannot read `offer.sdp`: open: No such file or directory"
        );
        assert_eq!(e.exit, 2);
        assert_eq!(CliError::failed("x").exit, 1);
    }
}
