//! `wacall devices`: one line per device and direction.

use super::Style;
use crate::io::audio::devices::{Format, Inventory};

pub fn inventory(inv: &Inventory, s: &Style) -> String {
    let mut out = format!("{} {}\n", s.bold("audio host:"), inv.host);
    let line = |kind: &str, id: &str, name: &str, f: &Format, default: bool| {
        format!(
            "  {kind:<6} {id}{}  {}  {} Hz, {} ch, {}\n",
            if default {
                s.ok(" (default)")
            } else {
                String::new()
            },
            s.dim(name),
            f.rate,
            f.channels,
            f.sample
        )
    };
    let mut any = false;
    for d in &inv.devices {
        if let Some(f) = &d.input {
            out += &line("input", &d.id, &d.name, f, d.default_input);
            any = true;
        }
        if let Some(f) = &d.output {
            out += &line("output", &d.id, &d.name, f, d.default_output);
            any = true;
        }
    }
    if !any {
        out += "  no devices: is a sound server (PulseAudio, PipeWire) running?\n";
    }
    out += &s.dim("pick with --input-device ID and --output-device ID\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::audio::DeviceInfo;

    #[test]
    fn lists_each_direction_and_marks_defaults() {
        let f = Format {
            rate: 48000,
            channels: 1,
            sample: "i16".into(),
        };
        let inv = Inventory {
            host: "PulseAudio".into(),
            devices: vec![DeviceInfo {
                id: "vspeaker.monitor".into(),
                name: "Monitor of VirtualSpeaker".into(),
                input: Some(f.clone()),
                output: None,
                default_input: true,
                default_output: false,
            }],
        };
        let text = inventory(&inv, &Style::new(false));
        assert!(
            text.contains(
                "input  vspeaker.monitor (default)  Monitor of VirtualSpeaker  48000 Hz, 1 ch, i16"
            ),
            "{text}"
        );
        assert!(!text.contains("output "), "{text}");
        let empty = Inventory {
            host: "ALSA".into(),
            devices: vec![],
        };
        assert!(inventory(&empty, &Style::new(false)).contains("no devices"));
    }
}
