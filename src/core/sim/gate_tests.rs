//! Tests of `gate.rs`.

use super::*;

const UFRAG: &str = "WaUfragSim000001";
const PWD: &str = "simulatedWhatsAppPwd0==";

fn check(username: &str, pwd: &str, role: u16, nominate: bool, tx: u8) -> Vec<u8> {
    let mut b = Builder::new(Class::Request, stun::BINDING, [tx; 12])
        .attr(stun::USERNAME, username.as_bytes())
        .attr(stun::PRIORITY, &1_862_270_975u32.to_be_bytes())
        .attr(role, &[1, 2, 3, 4, 5, 6, 7, 8]);
    if nominate {
        b = b.attr(stun::USE_CANDIDATE, &[]);
    }
    b.integrity(pwd.as_bytes()).fingerprint().build()
}

fn gate() -> (Gate, Instant) {
    let t0 = Instant::now();
    let mut g = Gate::new(t0, UFRAG, PWD);
    g.set_answer(BusinessSdp {
        ice_lite: false,
        setup: Some("active".into()),
        ice_ufrag: Some("brdg".into()),
    });
    (g, t0)
}

fn reply_code(v: &Verdict) -> Option<u16> {
    match v {
        Verdict::Reply(r) => Message::parse(r).unwrap().error_code(),
        _ => None,
    }
}

#[test]
fn controlling_checks_pass_and_nomination_is_seen() {
    let (mut g, t0) = gate();
    let user = format!("{UFRAG}:brdg");
    let v = g.from_bridge(
        t0 + Duration::from_millis(5),
        &check(&user, PWD, stun::ICE_CONTROLLING, true, 9),
    );
    assert_eq!(v, Verdict::Forward);
    let ok = Builder::new(Class::Success, stun::BINDING, [9; 12])
        .xor_mapped_address("127.0.0.1:1".parse().unwrap())
        .integrity(PWD.as_bytes())
        .fingerprint()
        .build();
    assert_eq!(
        g.from_inner(t0 + Duration::from_millis(6), &ok),
        Verdict::Forward
    );
    assert_eq!(g.seen.first_check, Some(Duration::from_millis(5)));
    assert_eq!(g.seen.ice_nominated, Some(Duration::from_millis(6)));
    assert_eq!((g.seen.checks, g.seen.nominations), (1, 1));
}

#[test]
fn controlled_bridge_gets_487() {
    let (mut g, t0) = gate();
    let v = g.from_bridge(
        t0,
        &check(
            &format!("{UFRAG}:brdg"),
            PWD,
            stun::ICE_CONTROLLED,
            false,
            1,
        ),
    );
    assert_eq!(reply_code(&v), Some(487));
    let Verdict::Reply(r) = v else { unreachable!() };
    assert_eq!(
        Message::parse(&r)
            .unwrap()
            .verify_integrity(&r, PWD.as_bytes()),
        Some(true)
    );
    assert_eq!(g.seen.role_conflicts, 1);
}

#[test]
fn wrong_credentials_get_401_with_the_reason() {
    let (mut g, t0) = gate();
    let cases = [
        (format!("{UFRAG}:brdg"), "not-the-password-at-all"),
        ("someoneElse:brdg".to_string(), PWD),
        (format!("{UFRAG}:other"), PWD),
    ];
    for (user, pwd) in &cases {
        let v = g.from_bridge(t0, &check(user, pwd, stun::ICE_CONTROLLING, false, 2));
        assert_eq!(reply_code(&v), Some(401), "{user}");
    }
    assert_eq!(g.seen.bad_credentials, 3);
    assert!(
        g.seen
            .bad_credentials_reason
            .as_deref()
            .unwrap()
            .contains("ice-ufrag is `brdg`")
    );
}

#[test]
fn nothing_before_the_answer_and_no_ice_with_a_lite_answer() {
    let t0 = Instant::now();
    let mut g = Gate::new(t0, UFRAG, PWD);
    let c = check(
        &format!("{UFRAG}:brdg"),
        PWD,
        stun::ICE_CONTROLLING,
        true,
        3,
    );
    assert_eq!(g.from_bridge(t0, &c), Verdict::Drop);
    assert_eq!(g.seen.checks_before_answer, 1);
    g.set_answer(BusinessSdp {
        ice_lite: true,
        ..BusinessSdp::default()
    });
    assert_eq!(g.from_bridge(t0, &c), Verdict::Drop);
    assert_eq!(g.seen.checks_ignored_ice_lite, 1);
}

#[test]
fn certificate_keys_by_oid() {
    let mut ec = vec![22, 0xfe, 0xfd];
    ec.extend([
        0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
        0x3d, 0x03, 0x01, 0x07,
    ]);
    assert_eq!(certificate_key(&ec), Some("ecdsa-p256"));
    assert_eq!(
        certificate_key(&[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
        ]),
        Some("rsa")
    );
    assert_eq!(certificate_key(&[22, 1, 2, 3]), None);
}

#[test]
fn media_before_accept_and_after() {
    let (mut g, t0) = gate();
    let rtp_packet = |seq: u16| {
        let mut b = vec![0x80, 111, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0xf8];
        b[2..4].copy_from_slice(&seq.to_be_bytes());
        b
    };
    g.from_bridge(t0 + Duration::from_millis(100), &rtp_packet(1));
    g.set_accepted();
    g.from_bridge(t0 + Duration::from_millis(120), &rtp_packet(2));
    assert_eq!(g.seen.rtp_before_accept, 1);
    assert_eq!(g.seen.first_rtp_in, Some(Duration::from_millis(100)));
    assert_eq!(g.seen.rtp_in.packets, 2);
    let hello = [22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 1];
    g.from_bridge(t0 + Duration::from_millis(50), &hello);
    assert_eq!(g.seen.client_hello, Some(Duration::from_millis(50)));
}
