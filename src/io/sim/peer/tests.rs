use crate::io::answerer::AnswererConfig;
use crate::io::direct::testkit::offered_and_answered;
use std::net::IpAddr;

/// WhatsApp's media server takes the bridge's datagrams only once it holds
/// the answer: the gate opens after the core has applied it, never before
/// (a ClientHello let through earlier was dropped by the core, and the
/// bridge's DTLS waited a second for its retransmission). An answer the
/// core refuses leaves the gate shut.
#[tokio::test]
async fn the_gate_opens_only_on_an_answer_the_core_took() {
    for refuse in [true, false] {
        let (peer, a) =
            offered_and_answered(IpAddr::from([127, 0, 0, 1]), AnswererConfig::default()).await;
        if refuse {
            let refused = a.answer.replace("a=ice-ufrag:", "a=x-ufrag:");
            assert!(peer.apply_answer(&refused).await.is_err());
            assert_eq!(
                peer.state().answer,
                None,
                "the gate opened on a refused answer"
            );
        } else {
            let facts = peer.apply_answer(&a.answer).await.unwrap();
            assert_eq!(peer.state().answer, Some(facts));
        }
        a.peer.close().await;
    }
}
