//! `wacall devices`: the audio devices `--to speaker` and `listen` can open.

use crate::error::CliError;
use crate::output::{Term, devices as render};

pub fn run(term: &Term) -> Result<u8, CliError> {
    let inv = crate::io::audio::devices::list().map_err(|e| {
        CliError::failed("cannot list the audio devices")
            .because(e)
            .hint("is a sound server (PulseAudio, PipeWire) running for this user?")
    })?;
    if term.json {
        term.json_doc(&serde_json::to_value(&inv).expect("serialisable"))
    } else {
        term.out(&render::inventory(&inv, &term.out_style))
    }
    .map_err(super::write_failed)?;
    Ok(0)
}
