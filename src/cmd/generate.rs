//! `wacall completions` and `wacall man`: the checked-in files under
//! `completions/` and `man/` come from here, from the clap definition.

use super::write_failed;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::CliError;
use crate::output::Term;
use clap::CommandFactory;
use std::path::Path;

pub fn completions(args: &CompletionsArgs, term: &Term) -> Result<u8, CliError> {
    let mut cmd = Cli::command();
    match &args.dir {
        Some(dir) => {
            create_dir(dir)?;
            clap_complete::generate_to(args.shell, &mut cmd, "wacall", dir).map_err(|e| {
                CliError::failed(format!("cannot write completions into `{}`", dir.display()))
                    .because(e)
            })?;
        }
        None => {
            let mut buf = Vec::new();
            clap_complete::generate(args.shell, &mut cmd, "wacall", &mut buf);
            term.out(&String::from_utf8_lossy(&buf))
                .map_err(write_failed)?;
        }
    }
    Ok(0)
}

/// Every page: `wacall.1`, then `wacall-<subcommand>.1` for each subcommand.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let root = Cli::command();
    let mut pages = vec![("wacall.1".to_string(), render(root.clone()))];
    for sub in root.get_subcommands() {
        let name = format!("wacall-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .version(root.get_version().unwrap_or_default().to_string());
        pages.push((format!("{name}.1"), render(sub)));
    }
    pages
}

fn render(cmd: clap::Command) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .expect("writing to a Vec cannot fail");
    buf
}

pub fn man(args: &ManArgs, term: &Term) -> Result<u8, CliError> {
    let pages = man_pages();
    match &args.dir {
        Some(dir) => {
            create_dir(dir)?;
            for (name, bytes) in pages {
                let path = dir.join(&name);
                std::fs::write(&path, bytes).map_err(|e| {
                    CliError::failed(format!("cannot write `{}`", path.display())).because(e)
                })?;
            }
        }
        None => term
            .out(&String::from_utf8_lossy(&pages[0].1))
            .map_err(write_failed)?,
    }
    Ok(0)
}

fn create_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failed(format!("cannot create `{}`", dir.display())).because(e))
}
