//! Tests of `diagnose.rs`.

use super::*;

fn evidence<'a>(
    seen: &'a Observations,
    tl: &'a Timeline,
    answer: Option<&'a BusinessSdp>,
) -> Evidence<'a> {
    Evidence {
        answer,
        seen,
        timeline: tl,
        end: None,
        decoded_packets: 10,
        sent_packets: 10,
        opus_pt: 111,
        media_address: "127.0.0.1:40000".parse().unwrap(),
        business_initiated: false,
    }
}

fn ms(n: u64) -> Option<Duration> {
    Some(Duration::from_millis(n))
}

fn good() -> (Observations, Timeline, BusinessSdp) {
    let seen = Observations {
        checks: 3,
        nominations: 1,
        first_check: ms(5),
        ice_connected: ms(6),
        ice_nominated: ms(6),
        client_hello: ms(7),
        first_rtp_in: ms(20),
        first_rtp_out: ms(25),
        ..Observations::default()
    };
    let tl = Timeline {
        answer: ms(1),
        dtls_connected: ms(15),
        ..Timeline::default()
    };
    let answer = BusinessSdp {
        ice_lite: false,
        setup: Some("active".into()),
        ice_ufrag: Some("b".into()),
    };
    (seen, tl, answer)
}

#[test]
fn a_good_call_is_ok() {
    let (seen, tl, a) = good();
    let d = diagnose(&evidence(&seen, &tl, Some(&a)));
    assert!(d.ok, "{d:?}");
    assert_eq!(d.reason, "media flowed both ways");
}

#[test]
fn each_layer_is_named() {
    let (seen, tl, a) = good();
    let case = |f: &dyn Fn(&mut Observations, &mut Timeline, &mut BusinessSdp)| {
        let (mut s, mut t, mut a) = (seen.clone(), tl.clone(), a.clone());
        f(&mut s, &mut t, &mut a);
        diagnose(&evidence(&s, &t, Some(&a)))
    };
    let d = diagnose(&evidence(&seen, &tl, None));
    assert_eq!(d.layer, Some(Layer::Signalling));
    let d = case(&|_, _, a| a.ice_lite = true);
    assert!(d.reason.contains("a=ice-lite"), "{}", d.reason);
    let d = case(&|s, _, _| s.checks = 0);
    assert!(d.reason.contains("no connectivity checks"), "{}", d.reason);
    let d = case(&|s, _, _| {
        s.ice_connected = None;
        s.role_conflicts = 4;
    });
    assert!(d.reason.contains("wrong ICE role"), "{}", d.reason);
    let d = case(&|s, _, _| {
        s.ice_connected = None;
        s.bad_credentials = 2;
        s.bad_credentials_reason = Some("MESSAGE-INTEGRITY does not verify".into());
    });
    assert!(
        d.reason.contains("wrong credentials") && d.reason.contains("INTEGRITY"),
        "{}",
        d.reason
    );
    let d = case(&|s, _, a| {
        s.client_hello = None;
        a.setup = Some("passive".into());
    });
    assert_eq!(d.layer, Some(Layer::Dtls));
    assert!(d.reason.contains("setup:passive"), "{}", d.reason);
    let d = case(&|_, t, _| t.dtls_connected = None);
    assert!(d.reason.contains("fingerprint"), "{}", d.reason);
    let d = case(&|s, _, _| s.first_rtp_in = None);
    assert_eq!(d.layer, Some(Layer::MediaIn));
    let d = case(&|s, _, _| s.first_rtp_out = None);
    assert_eq!(d.layer, Some(Layer::MediaOut));
}

#[test]
fn business_initiated_dtls_is_whatsapps_to_start() {
    let (mut seen, mut tl, a) = good();
    seen.client_hello = None;
    let mut e = evidence(&seen, &tl, Some(&a));
    e.business_initiated = true;
    assert!(
        diagnose(&e).ok,
        "no ClientHello from the business is expected"
    );
    seen.sim_client_hello = Some(Duration::from_millis(9));
    tl.dtls_connected = None;
    let mut e = evidence(&seen, &tl, Some(&a));
    e.business_initiated = true;
    let d = diagnose(&e);
    assert_eq!(d.layer, Some(Layer::Dtls));
    assert!(
        d.reason.contains("WhatsApp is the DTLS client"),
        "{}",
        d.reason
    );
}

#[test]
fn an_aborted_call_says_why() {
    let (seen, tl, _) = good();
    let end = End::Aborted("the connect webhook was not delivered (HTTP 401)".into());
    let mut e = evidence(&seen, &tl, None);
    e.end = Some(&end);
    let d = diagnose(&e);
    assert_eq!(d.layer, Some(Layer::Signalling));
    assert!(d.reason.contains("HTTP 401"), "{}", d.reason);
}

#[test]
fn notes_explain_what_worked_anyway() {
    let (mut seen, tl, a) = good();
    seen.rtp_before_accept = 3;
    seen.role_conflicts = 2;
    let d = diagnose(&evidence(&seen, &tl, Some(&a)));
    assert!(d.ok);
    assert!(d.notes.iter().any(|n| n.contains("before accept")));
    assert!(d.notes.iter().any(|n| n.contains("487")));
}

#[test]
fn a_rejected_call_is_not_reported_as_unanswered() {
    let (seen, tl, _) = good();
    let mut e = evidence(&seen, &tl, None);
    e.end = Some(&End::Rejected);
    let d = diagnose(&e);
    assert_eq!(d.layer, Some(Layer::Signalling));
    assert_eq!(
        d.reason,
        "the business rejected the call (Graph `reject`) instead of answering"
    );
    e.end = None;
    assert!(diagnose(&e).reason.starts_with("no answer"));
}
