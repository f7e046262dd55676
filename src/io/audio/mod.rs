//! Local audio: the machine's speaker and microphone (cpal).

pub mod devices;
pub mod local;

pub use devices::{DeviceInfo, Direction, Inventory};
pub use local::{DeviceSpec, LocalAudio, Opened};
