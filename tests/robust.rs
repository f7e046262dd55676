//! Arbitrary input never panics the input detection, the tokenizer or the
//! rules, and every finding points at a line and column that exist. The same
//! path is the cargo-fuzz target in `fuzz/`.

use proptest::prelude::*;
use wacall::core::input::{self, CallDirection};
use wacall::core::lint::{self, Place};

const SEEDS: [&str; 3] = [
    include_str!("../testdata/corpus/offer-whatsapp-real-uic-2025-10-17-mamlesh06.sdp"),
    include_str!("../testdata/answers/good-answer.sdp"),
    include_str!("../testdata/corpus/answer-metadocs-bic-whatsapp-sample.sdp"),
];

fn lint_everywhere(bytes: &[u8]) {
    let Ok(found) = input::detect(bytes) else {
        return;
    };
    for direction in [
        CallDirection::UserInitiated,
        CallDirection::BusinessInitiated,
    ] {
        for checked in [
            lint::check(Some(&found), None, direction),
            lint::check(None, Some(&found), direction),
            lint::check(Some(&found), Some(&found), direction),
        ] {
            for f in &checked.findings {
                if f.place == Place::Sdp {
                    let sdp = checked.answer.as_ref().or(checked.offer.as_ref()).unwrap();
                    let line = sdp.lines.get(f.line - 1);
                    assert!(
                        line.is_some() || (f.line == 1 && sdp.lines.is_empty()),
                        "{f:?}"
                    );
                    if let Some(l) = line {
                        assert!(
                            f.column >= 1 && f.column <= l.width() + 1,
                            "{f:?} on {:?}",
                            l.text
                        );
                    }
                }
            }
        }
    }
}

/// Real SDP lines, shuffled, dropped, duplicated and mutated byte by byte.
fn mutated_sdp() -> impl Strategy<Value = Vec<u8>> {
    let lines: Vec<&'static str> = SEEDS.iter().flat_map(|s| s.lines()).collect();
    (
        prop::collection::vec(prop::sample::select(lines), 0..60),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        prop::sample::select(vec!["\r\n", "\n", "\r", ""]),
    )
        .prop_map(|(lines, edits, ending)| {
            let mut bytes = lines.join(ending).into_bytes();
            for (at, b) in edits {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = b;
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        lint_everywhere(&bytes);
    }

    #[test]
    fn mutated_sdp_never_panics(bytes in mutated_sdp()) {
        lint_everywhere(&bytes);
    }

    #[test]
    fn json_wrapped_noise_never_panics(s in ".{0,300}") {
        for wrapper in [
            format!("{{\"action\":\"accept\",\"session\":{{\"sdp\":{}}}}}", serde_json::to_string(&s).unwrap()),
            serde_json::to_string(&s).unwrap(),
            format!("{{\"entry\":[{{\"id\":\"1\",\"changes\":[{{\"field\":\"calls\",\"value\":{{\"calls\":[{{\"id\":\"w\",\"event\":\"connect\",\"session\":{{\"sdp\":{}}}}}]}}}}]}}],\"object\":\"x\"}}", serde_json::to_string(&s).unwrap()),
        ] {
            lint_everywhere(wrapper.as_bytes());
        }
    }
}
