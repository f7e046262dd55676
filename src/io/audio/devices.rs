//! The machine's audio devices through cpal: PulseAudio when a server runs
//! (Linux), else ALSA; CoreAudio and WASAPI elsewhere.

use cpal::traits::{DeviceTrait, HostTrait};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Input,
    Output,
}

impl Direction {
    pub fn flag(self) -> &'static str {
        match self {
            Direction::Input => "--input-device",
            Direction::Output => "--output-device",
        }
    }
}

/// A device's default format for one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Format {
    pub rate: u32,
    pub channels: u16,
    pub sample: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    /// What `--input-device`/`--output-device` take: the host's id for it.
    pub id: String,
    pub name: String,
    pub input: Option<Format>,
    pub output: Option<Format>,
    pub default_input: bool,
    pub default_output: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub host: String,
    pub devices: Vec<DeviceInfo>,
}

pub fn host() -> cpal::Host {
    cpal::default_host()
}

fn id_of(d: &cpal::Device) -> String {
    d.id().map(|id| id.id().to_string()).unwrap_or_default()
}

fn format(c: Result<cpal::SupportedStreamConfig, cpal::Error>) -> Option<Format> {
    c.ok().map(|c| Format {
        rate: c.sample_rate(),
        channels: c.channels(),
        sample: c.sample_format().to_string(),
    })
}

/// Every device the host offers, with default formats.
pub fn list() -> anyhow::Result<Inventory> {
    let host = host();
    let default_in = host.default_input_device().map(|d| id_of(&d));
    let default_out = host.default_output_device().map(|d| id_of(&d));
    let mut devices = Vec::new();
    for d in host.devices()? {
        let id = id_of(&d);
        devices.push(DeviceInfo {
            name: d
                .description()
                .map(|x| x.name().to_string())
                .unwrap_or_default(),
            input: format(d.default_input_config()),
            output: format(d.default_output_config()),
            default_input: default_in.as_deref() == Some(id.as_str()),
            default_output: default_out.as_deref() == Some(id.as_str()),
            id,
        });
    }
    Ok(Inventory {
        host: host.id().name().to_string(),
        devices,
    })
}

/// The device named `want` (its id or its name, exactly), or the default.
pub fn find(want: Option<&str>, dir: Direction) -> anyhow::Result<cpal::Device> {
    let host = host();
    let Some(want) = want else {
        let d = match dir {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        };
        return d.ok_or_else(|| {
            anyhow::anyhow!(
                "no default {} device on the {} host; name one with {} (see `wacall devices`)",
                if dir == Direction::Input {
                    "input"
                } else {
                    "output"
                },
                host.id().name(),
                dir.flag()
            )
        });
    };
    let usable = |d: &cpal::Device| match dir {
        Direction::Input => d.default_input_config().is_ok(),
        Direction::Output => d.default_output_config().is_ok(),
    };
    for d in host.devices()? {
        let name = d
            .description()
            .map(|x| x.name().to_string())
            .unwrap_or_default();
        if (id_of(&d) == want || name == want) && usable(&d) {
            return Ok(d);
        }
    }
    anyhow::bail!(
        "no {} device `{want}` on the {} host; `wacall devices` lists them (fix {})",
        if dir == Direction::Input {
            "input"
        } else {
            "output"
        },
        host.id().name(),
        dir.flag()
    )
}
