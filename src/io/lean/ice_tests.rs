//! ICE as the lean path runs it, on a fake clock.

use super::*;

fn creds() -> Credentials {
    Credentials {
        local_ufrag: "biz".into(),
        local_pwd: "bizpasswordbizpassword".into(),
        remote_ufrag: "wa".into(),
        remote_pwd: "wapasswordwapassword".into(),
    }
}

fn answer(req: &[u8], pwd: &str) -> Vec<u8> {
    let m = Message::parse(req).unwrap();
    Builder::new(Class::Success, stun::BINDING, m.transaction)
        .xor_mapped_address("127.0.0.1:4000".parse().unwrap())
        .integrity(pwd.as_bytes())
        .fingerprint()
        .build()
}

/// Checks go round the candidates at the interval, each controlling
/// and nominating with WhatsApp's credentials; an answer signed with
/// the wrong password is ignored, the right one selects its pair.
#[test]
fn checks_nominate_and_the_first_true_answer_selects_its_pair() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    let (a, b): (SocketAddr, SocketAddr) = (
        "127.0.0.1:3480".parse().unwrap(),
        "127.0.0.2:3480".parse().unwrap(),
    );
    let mut ice = Ice::new(creds(), vec![a, b], ms(10), 100, t0);
    let mut out = Vec::new();
    ice.handle_timeout(t0, &mut out);
    ice.handle_timeout(t0 + ms(5), &mut out);
    assert_eq!(out.len(), 1, "one check per interval");
    ice.handle_timeout(t0 + ms(10), &mut out);
    assert_eq!((out[0].1, out[1].1), (a, b));
    let m = Message::parse(&out[1].0).unwrap();
    assert_eq!(m.username().as_deref(), Some("wa:biz"));
    assert!(m.has(stun::USE_CANDIDATE) && m.has(stun::ICE_CONTROLLING));
    assert_eq!(
        m.verify_integrity(&out[1].0, b"wapasswordwapassword"),
        Some(true)
    );
    let mut replies = Vec::new();
    ice.handle_stun(t0 + ms(11), b, &answer(&out[1].0, "wrong"), &mut replies);
    assert_eq!(ice.state, IceState::Checking);
    ice.handle_stun(
        t0 + ms(11),
        a,
        &answer(&out[1].0, "wapasswordwapassword"),
        &mut replies,
    );
    assert_eq!(ice.state, IceState::Checking, "answered from elsewhere");
    ice.handle_stun(
        t0 + ms(11),
        b,
        &answer(&out[1].0, "wapasswordwapassword"),
        &mut replies,
    );
    assert_eq!((ice.state, ice.selected), (IceState::Connected, Some(b)));
    assert!(replies.is_empty());
}

/// Unanswered, the checks run out and ICE fails.
#[test]
fn unanswered_checks_fail_after_their_attempts() {
    let t0 = Instant::now();
    let a: SocketAddr = "127.0.0.1:3480".parse().unwrap();
    let mut ice = Ice::new(creds(), vec![a], Duration::from_millis(10), 3, t0);
    let mut out = Vec::new();
    for i in 0..10 {
        ice.handle_timeout(t0 + Duration::from_millis(10 * i), &mut out);
    }
    assert_eq!((out.len(), ice.state), (3, IceState::Failed));
    assert_eq!(ice.poll_timeout(), None);
}

/// Connected, consent is asked every 5 s without nominating, and runs
/// out 30 s after the last answer.
#[test]
fn consent_is_refreshed_and_expires_without_answers() {
    let t0 = Instant::now();
    let s = Duration::from_secs;
    let a: SocketAddr = "127.0.0.1:3480".parse().unwrap();
    let mut ice = Ice::new(creds(), vec![a], Duration::from_millis(10), 10, t0);
    let mut out = Vec::new();
    ice.handle_timeout(t0, &mut out);
    let first = out.pop().unwrap().0;
    ice.handle_stun(t0, a, &answer(&first, "wapasswordwapassword"), &mut out);
    assert_eq!(ice.state, IceState::Connected);
    ice.handle_timeout(t0 + s(5), &mut out);
    let consent = out.pop().unwrap().0;
    assert!(!Message::parse(&consent).unwrap().has(stun::USE_CANDIDATE));
    ice.handle_stun(
        t0 + s(6),
        a,
        &answer(&consent, "wapasswordwapassword"),
        &mut out,
    );
    ice.handle_timeout(t0 + s(35), &mut out);
    assert_eq!(ice.state, IceState::Connected, "answered at 6 s");
    ice.handle_timeout(t0 + s(36), &mut out);
    assert_eq!(ice.state, IceState::Failed);
}

/// The lite side sends nothing of its own and selects the pair the
/// first valid nominating check came from.
#[test]
fn the_lite_side_selects_the_nominated_pair() {
    let t0 = Instant::now();
    let mut ice = Ice::lite("wa".into(), "wapasswordwapassword".into(), t0);
    ice.set_remote("biz".into(), "bizpasswordbizpassword".into());
    let mut out = Vec::new();
    ice.handle_timeout(t0 + Duration::from_secs(60), &mut out);
    assert!(out.is_empty() && ice.poll_timeout().is_none());
    let a: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let check = |nominate: bool| {
        let mut b = Builder::new(Class::Request, stun::BINDING, rand::random())
            .attr(stun::USERNAME, b"wa:biz");
        if nominate {
            b = b.attr(stun::USE_CANDIDATE, &[]);
        }
        b.integrity(b"wapasswordwapassword").fingerprint().build()
    };
    ice.handle_stun(t0, a, &check(false), &mut out);
    assert_eq!((out.len(), ice.state), (1, IceState::Checking));
    ice.handle_stun(t0, a, &check(true), &mut out);
    assert_eq!((ice.state, ice.selected), (IceState::Connected, Some(a)));
}

/// Their checks are answered only with our credentials.
#[test]
fn their_checks_are_answered_when_signed_with_our_password() {
    let t0 = Instant::now();
    let a: SocketAddr = "127.0.0.1:3480".parse().unwrap();
    let mut ice = Ice::new(creds(), vec![a], Duration::from_millis(10), 10, t0);
    let check = |user: &str, pwd: &str| {
        Builder::new(Class::Request, stun::BINDING, [7; 12])
            .attr(stun::USERNAME, user.as_bytes())
            .integrity(pwd.as_bytes())
            .fingerprint()
            .build()
    };
    let mut out = Vec::new();
    ice.handle_stun(t0, a, &check("biz:wa", "nope"), &mut out);
    ice.handle_stun(
        t0,
        a,
        &check("other:wa", "bizpasswordbizpassword"),
        &mut out,
    );
    assert!(out.is_empty());
    ice.handle_stun(t0, a, &check("biz:wa", "bizpasswordbizpassword"), &mut out);
    let reply = Message::parse(&out[0].0).unwrap();
    assert_eq!(reply.class, Class::Success);
    assert_eq!(reply.xor_mapped_address(), Some(a));
    assert_eq!(
        reply.verify_integrity(&out[0].0, b"bizpasswordbizpassword"),
        Some(true)
    );
}

/// Checks spent before the other side could answer do not count: after a
/// nudge the whole budget is there again, so a slow `pre_accept` does not
/// fail ICE; without one, the budget runs out and ICE fails.
#[test]
fn a_nudge_gives_back_the_checks_spent_before_it() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    let a: SocketAddr = "127.0.0.1:3480".parse().unwrap();
    let run = |nudge_at: Option<u64>| {
        let mut ice = Ice::new(creds(), vec![a], ms(10), 3, t0);
        let mut out = Vec::new();
        for t in (0..=40).step_by(10) {
            if nudge_at == Some(t) {
                ice.nudge(t0 + ms(t));
            }
            ice.handle_timeout(t0 + ms(t), &mut out);
        }
        (ice.state, out.len())
    };
    assert_eq!(run(None), (IceState::Failed, 3));
    assert_eq!(run(Some(20)), (IceState::Checking, 5), "2 before, 3 after");
}

/// A nudge brings the next check forward to now, once; it spends no extra
/// attempt, and a connected or lite agent ignores it.
#[test]
fn a_nudge_sends_the_next_check_at_once() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    let a: SocketAddr = "127.0.0.1:3480".parse().unwrap();
    let mut ice = Ice::new(creds(), vec![a], ms(1000), 7, t0);
    let mut out = Vec::new();
    ice.handle_timeout(t0, &mut out);
    ice.handle_timeout(t0 + ms(3), &mut out);
    assert_eq!(out.len(), 1, "the next check waits for the interval");
    ice.nudge(t0 + ms(3));
    assert_eq!(ice.poll_timeout(), Some(t0 + ms(3)));
    ice.handle_timeout(t0 + ms(3), &mut out);
    assert_eq!(out.len(), 2, "nudged: a check at once");
    assert_eq!(
        ice.poll_timeout(),
        Some(t0 + ms(1003)),
        "then the interval again"
    );
    ice.nudge(t0 + ms(2000));
    assert_eq!(
        ice.poll_timeout(),
        Some(t0 + ms(1003)),
        "a later nudge moves nothing back"
    );
    let mut replies = Vec::new();
    ice.handle_stun(
        t0 + ms(4),
        a,
        &answer(&out[1].0, "wapasswordwapassword"),
        &mut replies,
    );
    assert_eq!(ice.state, IceState::Connected);
    let consent = ice.poll_timeout();
    ice.nudge(t0 + ms(5));
    assert_eq!(
        ice.poll_timeout(),
        consent,
        "connected: consent keeps its pace"
    );
    let mut lite = Ice::lite("wa".into(), "wapasswordwapassword".into(), t0);
    lite.nudge(t0);
    assert_eq!(lite.poll_timeout(), None);
}
