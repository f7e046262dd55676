//! The local audio engine on a private PulseAudio daemon with null sinks
//! (CI has no sound card): `wacall devices`, and `bridge --to speaker`
//! against `wacall sim`, with the caller's tone heard on the "speaker" and
//! the "microphone's" tone heard by WhatsApp's side.

mod pulse;
mod sim_offer;

use pulse::Pulse;
use serde_json::Value;
use std::process::Output;

const WACALL: &str = env!("CARGO_BIN_EXE_wacall");

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn of_type(out: &[u8], t: &str) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == t)
        .map(|v| v["data"].clone())
        .collect()
}

fn hz(s: &[i16]) -> f64 {
    wacall::core::audio::dominant_frequency(s).unwrap_or(0.0)
}

#[test]
fn devices_lists_the_null_sinks_with_their_formats() {
    let pulse = Pulse::start();
    let out = pulse
        .cmd(WACALL)
        .args(["--json", "devices"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inv["host"], "PulseAudio", "{inv:#}");
    let devices = inv["devices"].as_array().unwrap();
    let find = |id: &str| devices.iter().find(|d| d["id"] == id).cloned();
    let speaker = find("vspeaker").unwrap_or_else(|| panic!("{inv:#}"));
    assert_eq!(speaker["output"]["rate"], 48000);
    assert_eq!(speaker["default_output"], true);
    let mic = find("vmic.monitor").unwrap_or_else(|| panic!("{inv:#}"));
    assert_eq!(mic["input"]["channels"], 1);
    assert_eq!(mic["default_input"], true);
    let human = pulse.cmd(WACALL).arg("devices").output().unwrap();
    assert!(
        text(&human).contains("output vspeaker (default)"),
        "{}",
        text(&human)
    );
}

#[test]
fn a_device_that_does_not_exist_is_a_usage_error() {
    let pulse = Pulse::start();
    let out = pulse
        .cmd(WACALL)
        .args([
            "bridge",
            "--offer",
            "testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp",
        ])
        .args(["--to", "speaker", "--output-device", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("no output device `nope`") && t.contains("wacall devices"),
        "{t}"
    );
}

#[test]
fn bridge_to_speaker_plays_the_caller_and_sends_the_microphone() {
    let pulse = Pulse::start();
    let speaker = pulse.record("vspeaker.monitor");
    let mut mic = pulse.play_tone("vmic", 1000.0, 12.0);
    // The caller outlasts the bridge, so the speaker is fed for the whole call.
    let sim = sim_offer::start(pulse.cmd(WACALL), &["--seconds", "11", "--tone", "440"]);
    let bridge = pulse
        .cmd(WACALL)
        .args([
            "--json",
            "bridge",
            "--bind",
            "127.0.0.1",
            "--duration",
            "10",
            "--to",
            "speaker",
        ])
        .arg("--offer")
        .arg(&sim.offer)
        .arg("--answer-out")
        .arg(&sim.answer)
        .output()
        .unwrap();
    let sim = sim.output();
    let heard_on_speaker = speaker.stop();
    let _ = mic.kill();
    let _ = mic.wait();
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let call = of_type(&sim.stdout, "call")
        .pop()
        .unwrap_or_else(|| panic!("{}", text(&sim)));
    let whatsapp_heard = call["heard"]["dominant_hz"].as_f64().unwrap();
    assert!(
        (whatsapp_heard - 1000.0).abs() < 3.0,
        "WhatsApp's side heard {whatsapp_heard} Hz: {call:#}\n{}",
        text(&bridge)
    );
    let loud: Vec<i16> = heard_on_speaker
        .chunks(960)
        .filter(|f| f.iter().any(|&s| s.unsigned_abs() > 3000))
        .flatten()
        .copied()
        .collect();
    assert!(
        loud.len() > 48_000,
        "over a second of the caller on the speaker: {}",
        loud.len()
    );
    assert!(
        (hz(&loud) - 440.0).abs() < 3.0,
        "the speaker played {} Hz",
        hz(&loud)
    );
    let summary = of_type(&bridge.stdout, "summary").pop().unwrap();
    let far = &summary["far_end_summary"];
    assert_eq!(far["output"]["name"], "vspeaker", "{summary:#}");
    assert_eq!(far["input"]["name"], "vmic.monitor", "{summary:#}");
    // A queue held at the wrong level runs dry or overflows every second or
    // so (ten or more in this call); a busy machine may cost a few, so the
    // bound is loose. (A caller who hangs up before the bridge leaves the
    // speaker unfed and counts underruns too: here the caller stays longer.)
    for key in ["speaker_underruns", "mic_overflows", "mic_short_frames"] {
        assert!(far[key].as_u64().unwrap() <= 5, "{key}: {summary:#}");
    }
}

#[test]
fn mute_sends_silence_but_still_plays_the_caller() {
    let pulse = Pulse::start();
    let speaker = pulse.record("vspeaker.monitor");
    let mut mic = pulse.play_tone("vmic", 1000.0, 10.0);
    let sim = sim_offer::start(pulse.cmd(WACALL), &["--seconds", "3", "--tone", "440"]);
    let bridge = pulse
        .cmd(WACALL)
        .args([
            "--json",
            "bridge",
            "--bind",
            "127.0.0.1",
            "--duration",
            "5",
            "--to",
            "speaker",
            "--mute",
        ])
        .arg("--offer")
        .arg(&sim.offer)
        .arg("--answer-out")
        .arg(&sim.answer)
        .output()
        .unwrap();
    let sim = sim.output();
    let played = speaker.stop();
    let _ = mic.kill();
    let _ = mic.wait();
    assert_eq!(bridge.status.code(), Some(0), "{}", text(&bridge));
    let call = of_type(&sim.stdout, "call").pop().unwrap();
    let level = call["heard"]["level_dbfs"]
        .as_f64()
        .unwrap_or(f64::NEG_INFINITY);
    assert!(
        level < -60.0,
        "muted, yet WhatsApp heard {level} dBFS: {call:#}"
    );
    assert!(
        played.iter().filter(|s| s.unsigned_abs() > 3000).count() > 48_000,
        "the caller was still played"
    );
}
