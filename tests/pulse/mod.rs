//! A private PulseAudio daemon with two null sinks, for tests on machines
//! without a sound card: `vspeaker` (what wacall plays; its monitor is
//! recorded) and `vmic` (fed with a tone; its monitor is wacall's
//! microphone). Started per test in its own runtime dir, killed on drop.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Pulse {
    dir: tempfile::TempDir,
}

impl Pulse {
    pub fn start() -> Pulse {
        let dir = tempfile::tempdir().unwrap();
        for d in ["run", "home"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("run"),
            std::fs::Permissions::from_mode(0o700),
        )
        .unwrap();
        let p = Pulse { dir };
        let status = p
            .cmd("pulseaudio")
            .args(["-n", "--daemonize=yes", "--exit-idle-time=-1", "--disallow-exit"])
            .args(["-L", "module-native-protocol-unix auth-anonymous=1"])
            .args([
                "-L",
                "module-null-sink sink_name=vspeaker rate=48000 channels=1 sink_properties=device.description=VirtualSpeaker",
            ])
            .args([
                "-L",
                "module-null-sink sink_name=vmic rate=48000 channels=1 sink_properties=device.description=VirtualMicFeed",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("pulseaudio is installed (scripts/bootstrap)");
        assert!(status.success(), "pulseaudio did not start");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !p.ok(&["info"]) {
            assert!(Instant::now() < deadline, "pulseaudio never answered");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(p.ok(&["set-default-sink", "vspeaker"]));
        assert!(p.ok(&["set-default-source", "vmic.monitor"]));
        p
    }

    fn ok(&self, pactl: &[&str]) -> bool {
        self.cmd("pactl")
            .args(pactl)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// A command that talks to this daemon (and to no other).
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("HOME", self.dir.path().join("home"))
            .env_remove("PULSE_SERVER");
        c
    }

    /// Records `device` (raw s16le mono 48 kHz) until `stop` is called.
    pub fn record(&self, device: &str) -> Recording {
        let path = self.dir.path().join(format!("{device}.raw"));
        let child = self
            .cmd("parec")
            .args([
                &format!("--device={device}"),
                "--rate=48000",
                "--channels=1",
            ])
            .args(["--format=s16le", "--latency-msec=20"])
            .stdout(std::fs::File::create(&path).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Recording { child, path }
    }

    /// Plays a sine of `hz` into `device` for `seconds`.
    pub fn play_tone(&self, device: &str, hz: f64, seconds: f64) -> Child {
        let n = (48_000.0 * seconds) as usize;
        let mut bytes = Vec::with_capacity(n * 2);
        for i in 0..n {
            let s = (0.3 * (2.0 * std::f64::consts::PI * hz * i as f64 / 48_000.0).sin() * 32767.0)
                as i16;
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        let path = self.dir.path().join(format!("tone-{hz}.raw"));
        std::fs::write(&path, bytes).unwrap();
        self.cmd("pacat")
            .args(["--playback", &format!("--device={device}"), "--rate=48000"])
            .args(["--channels=1", "--format=s16le", "--latency-msec=20"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self
            .cmd("pulseaudio")
            .arg("--kill")
            .stderr(Stdio::null())
            .status();
    }
}

pub struct Recording {
    child: Child,
    path: PathBuf,
}

impl Recording {
    /// Stops recording; the samples so far.
    pub fn stop(mut self) -> Vec<i16> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read(&self.path)
            .unwrap()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }
}
