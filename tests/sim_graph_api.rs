//! The fake Graph API over real HTTP, in process (the library API): every
//! documented error path answers in Meta's shape, and call actions follow
//! Meta's rules (accept's SDP equals pre_accept's, nothing after the end).

use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use wacall::core::audio::Tone;
use wacall::core::sim::call::Timers;
use wacall::core::webhook::Business;
use wacall::io::media::Source;
use wacall::io::sim::call::{CallSpec, Event, Meta, fresh_call_id, run_meta_call};
use wacall::io::sim::graph_api::{GraphApi, Injection};
use wacall::io::sim::peer::PeerConfig;

const PNID: &str = "100000000000001";
const GOOD: &str = include_str!("../testdata/answers/good-answer.sdp");
const THREE: &str = include_str!("../testdata/rules/WA005-fires-three.answer.sdp");

struct Fixture {
    api: GraphApi,
    client: reqwest::Client,
    call_id: String,
    stop: watch::Sender<bool>,
    done: tokio::task::JoinHandle<wacall::core::sim::report::CallReport>,
}

async fn fixture() -> Fixture {
    let api = GraphApi::start("127.0.0.1:0".parse().unwrap(), "good-token", PNID)
        .await
        .unwrap();
    let meta = Meta {
        business: Business {
            waba_id: "1".into(),
            phone_number_id: PNID.into(),
            display_phone_number: "15550009999".into(),
        },
        desk: api.desk.clone(),
        webhooks: None,
    };
    let spec = CallSpec {
        index: 1,
        peer: PeerConfig::loopback(Source::Tone(Tone::new(440.0, 0.3))),
        timers: Timers::default(),
        talk: Some(Duration::from_secs(30)),
        dtmf: None,
        record_dir: None,
        ring: Duration::from_millis(100),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop, stop_rx) = watch::channel(false);
    let done = tokio::spawn(run_meta_call(spec, meta, fresh_call_id(), tx, stop_rx));
    let call_id = match rx.recv().await {
        Some(Event::Milestone { call_id, .. }) => call_id,
        _ => panic!("no offered event"),
    };
    Fixture {
        api,
        client: wacall::io::http::client(Duration::from_secs(10)).unwrap(),
        call_id,
        stop,
        done,
    }
}

impl Fixture {
    async fn post(&self, token: Option<&str>, pnid: &str, body: Value) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/v23.0/{pnid}/calls", self.api.base_url()))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn act(&self, action: &str, sdp_type: &str, sdp: &str) -> (u16, Value) {
        let body = json!({"messaging_product": "whatsapp", "call_id": self.call_id, "action": action,
                          "session": {"sdp_type": sdp_type, "sdp": sdp}});
        self.post(Some("good-token"), PNID, body).await
    }
}

fn assert_meta_error(v: &Value, code: i64) {
    let e = &v["error"];
    assert_eq!(e["code"], code, "{v:#}");
    assert!(e["message"].is_string() && e["type"].is_string(), "{v:#}");
    assert!(
        e["fbtrace_id"].as_str().is_some_and(|t| !t.is_empty()),
        "{v:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_and_routing_errors() {
    let f = fixture().await;
    let body =
        json!({"messaging_product": "whatsapp", "call_id": f.call_id, "action": "terminate"});
    let (s, v) = f.post(None, PNID, body.clone()).await;
    assert_eq!(s, 401);
    assert_meta_error(&v, 190);
    let (s, v) = f.post(Some("bad-token"), PNID, body.clone()).await;
    assert_eq!(s, 401);
    assert_meta_error(&v, 190);
    let (s, v) = f.post(Some("good-token"), "999", body.clone()).await;
    assert_eq!(s, 400);
    assert_meta_error(&v, 100);
    assert_eq!(v["error"]["error_subcode"], 33);
    let (s, v) = f.post(Some("good-token"), PNID, json!({"messaging_product": "whatsapp", "call_id": "wacid.nope", "action": "terminate"})).await;
    assert_eq!(s, 400);
    assert!(
        v["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("Invalid call id")
    );
    let resp = f
        .client
        .get(format!("{}/v23.0/{PNID}/messages", f.api.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_meta_error(&resp.json().await.unwrap(), 100);
    f.stop.send(true).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_actions_follow_metas_rules() {
    let mut f = fixture().await;
    let (s, v) = f.act("pre_accept", "offer", GOOD).await;
    assert_eq!(s, 400, "sdp_type must be answer: {v:#}");
    let (s, v) = f.act("pre_accept", "answer", THREE).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["error_subcode"], 2494010);
    assert_eq!(
        v["error"]["error_data"]["details"],
        "Fingerprint algo is not SHA256"
    );
    let (s, v) = f.act("pre_accept", "answer", GOOD).await;
    assert_eq!(
        (s, v.clone()),
        (
            200,
            json!({"messaging_product": "whatsapp", "success": true})
        ),
        "{v:#}"
    );
    let other = GOOD.replace("a=ptime:20\r\n", "");
    let (s, v) = f.act("accept", "answer", &other).await;
    assert_eq!(s, 400);
    assert!(
        v["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("does not match"),
        "{v:#}"
    );
    let (s, _) = f.act("accept", "answer", GOOD).await;
    assert_eq!(s, 200);
    let (s, v) = f
        .post(
            Some("good-token"),
            PNID,
            json!({"messaging_product": "whatsapp", "call_id": f.call_id, "action": "reject"}),
        )
        .await;
    assert_eq!(s, 400, "an accepted call cannot be rejected: {v:#}");
    let (s, _) = f
        .post(
            Some("good-token"),
            PNID,
            json!({"messaging_product": "whatsapp", "call_id": f.call_id, "action": "terminate"}),
        )
        .await;
    assert_eq!(s, 200);
    let report = (&mut f.done).await.unwrap();
    assert_eq!(
        report.end,
        wacall::core::sim::call::End::TerminatedByBusiness
    );
    let statuses: Vec<(String, u16)> = report
        .graph_requests
        .iter()
        .map(|g| (g.action.clone(), g.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("pre_accept".into(), 200),
            ("accept".into(), 400),
            ("accept".into(), 200),
            ("reject".into(), 400),
            ("terminate".into(), 200)
        ],
        "requests refused before the call (validation) never reach it"
    );
    let (s, v) = f
        .post(
            Some("good-token"),
            PNID,
            json!({"messaging_product": "whatsapp", "call_id": f.call_id, "action": "terminate"}),
        )
        .await;
    assert_eq!(s, 400, "the call has ended: {v:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_transient_errors_then_success() {
    let f = fixture().await;
    f.api.desk.inject(Injection {
        action: wacall::core::graph::Action::PreAccept,
        status: 503,
        count: 1,
    });
    let (s, v) = f.act("pre_accept", "answer", GOOD).await;
    assert_eq!(s, 503);
    assert_eq!(v["error"]["is_transient"], true);
    let (s, _) = f.act("pre_accept", "answer", GOOD).await;
    assert_eq!(s, 200);
    f.stop.send(true).unwrap();
}
