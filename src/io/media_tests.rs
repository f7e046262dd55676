use super::*;

#[test]
fn a_pre_encoded_source_loops_its_packets_and_sends_them_as_they_are() {
    use crate::io::farend::FarEnd;
    let mut s = Source::Tone(Tone::new(440.0, 0.3))
        .pre_encoded(10, 20_000)
        .unwrap();
    assert!(
        s.sends_opus() && !s.passthrough(),
        "it still hears decoded audio"
    );
    let first: Vec<Bytes> = (0..10).map(|_| s.speak_opus().unwrap()).collect();
    assert!(first.iter().all(|p| p.len() > 10), "real Opus packets");
    assert_eq!(s.speak_opus().unwrap(), first[0], "looped");
    let mut dec = crate::core::audio::Decoder::new().unwrap();
    let mut pcm = Vec::new();
    for p in &first {
        dec.decode(p, &mut pcm).unwrap();
    }
    let hz = crate::core::audio::dominant_frequency(&pcm[FRAME..]).unwrap();
    assert!((hz - 440.0).abs() < 5.0, "{hz}");
    assert!(!Source::Silence.sends_opus());
}

#[test]
fn sources_loop() {
    let mut s = Source::Samples {
        data: Arc::new(vec![1, 2, 3]),
        pos: 0,
    };
    let f = s.frame();
    assert_eq!(&f[..4], &[1, 2, 3, 1]);
    assert_eq!(Source::Silence.frame(), [0; FRAME]);
}
