//! Any bytes through input detection, the tokenizer and every rule, in both
//! call directions and both roles. Run: `cargo fuzz run lint_sdp` (nightly,
//! or RUSTC_BOOTSTRAP=1 on stable), seeded from `testdata/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wacall::core::input::{self, CallDirection};
use wacall::core::lint;

fuzz_target!(|data: &[u8]| {
    if let Ok(found) = input::detect(data) {
        for direction in [CallDirection::UserInitiated, CallDirection::BusinessInitiated] {
            let _ = lint::check(Some(&found), Some(&found), direction);
            let _ = lint::check(None, Some(&found), direction);
        }
    }
});
