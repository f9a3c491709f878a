//! The SMPP gateway against the SMSC simulator, over real TCP.

use smartcity_sms::{
    DeliveryReport, Encoding, Incoming, OutgoingSms, Reply, SendError, SmppConfig, SmppGateway,
};
use smartcity_testkit::smsc::{FakeSmsc, ReceiptMode, ReceiptStyle};
use std::time::Duration;
use tokio::time::{timeout, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn config(smsc: &FakeSmsc, password: &str) -> SmppConfig {
    let mut config = SmppConfig::new(smsc.host(), smsc.port(), "esme", password, "SMARTCITY");
    config.reconnect_min = Duration::from_millis(50);
    config.reconnect_max = Duration::from_millis(200);
    config.response_timeout = Duration::from_secs(3);
    config
}

fn sms(id: &str, text: &str, encoding: Encoding) -> OutgoingSms {
    OutgoingSms { id: id.into(), to: "+84912345678".into(), text: text.into(), encoding }
}

fn report_of(incoming: Incoming) -> DeliveryReport {
    match incoming {
        Incoming::Report(report) => report,
        other => panic!("not a delivery report: {other:?}"),
    }
}

async fn wait_bound(gateway: &SmppGateway) {
    let deadline = Instant::now() + WAIT;
    while !gateway.is_bound() {
        assert!(Instant::now() < deadline, "gateway never bound");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Sends until it is accepted (the link may still be coming up), within WAIT.
async fn send_when_up(gateway: &SmppGateway, sms: &OutgoingSms) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        match gateway.send(sms).await {
            Ok(accepted) => return accepted.provider_id,
            Err(SendError::Temporary(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("send failed: {e}"),
        }
    }
}

#[tokio::test]
async fn gsm_and_vietnamese_ucs2_arrive_as_sent() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;

    let gsm = "Ma OTP: 123456 {ok} €5 [x]";
    let first = gateway.send(&sms("1", gsm, Encoding::Gsm7)).await.unwrap();
    let vietnamese = "Hồ sơ đã có kết quả";
    let second = gateway.send(&sms("2", vietnamese, Encoding::Ucs2)).await.unwrap();

    let got = smsc.wait_for_messages(2, WAIT).await;
    assert_eq!(got[0].text, gsm);
    assert_eq!(got[0].data_coding, 0x00);
    assert_eq!(got[0].message_id, first.provider_id);
    assert_eq!(got[1].text, vietnamese);
    assert_eq!(got[1].data_coding, 0x08);
    assert_eq!(got[1].message_id, second.provider_id);
    for m in &got {
        assert_eq!((m.destination.as_str(), m.dest_ton, m.dest_npi), ("84912345678", 1, 1));
        assert_eq!((m.source.as_str(), m.source_ton, m.source_npi), ("SMARTCITY", 5, 0));
        assert_eq!(m.registered_delivery & 0x03, 1, "delivery receipt requested");
        assert_eq!(m.parts, 1);
        assert_eq!(m.esm_class & 0x40, 0, "no UDH on a single message");
    }
    assert_ne!(first.provider_id, second.provider_id);
}

#[tokio::test]
async fn long_messages_go_as_concatenated_parts() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;

    let long_gsm: String = (0..40).map(|i| format!("part {i} ~ ")).collect();
    assert!(long_gsm.chars().count() > 320, "three parts");
    let long_vi = "Hồ sơ đã có kết quả. Mời ông/bà đến bộ phận một cửa để nhận kết quả. ".repeat(2);
    let a = gateway.send(&sms("1", &long_gsm, Encoding::Gsm7)).await.unwrap();
    let b = gateway.send(&sms("2", &long_vi, Encoding::Ucs2)).await.unwrap();

    let got = smsc.wait_for_messages(2, WAIT).await;
    assert_eq!(got[0].text, long_gsm);
    assert_eq!(got[0].parts, 3);
    assert_eq!(got[0].message_id, a.provider_id, "provider id is the first part's");
    assert_eq!(got[0].esm_class & 0x40, 0x40);
    assert_eq!(got[1].text, long_vi);
    assert_eq!(got[1].parts, long_vi.encode_utf16().count().div_ceil(67));
    assert_eq!(got[1].message_id, b.provider_id);
}

#[tokio::test]
async fn wrong_password_keeps_retrying_and_sends_are_temporary() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "wrong"));
    smsc.wait_for_bind_attempts(3, WAIT).await;
    assert_eq!(smsc.binds(), 0);
    assert!(!gateway.is_bound());
    let started = Instant::now();
    let err = gateway.send(&sms("1", "hi", Encoding::Gsm7)).await.unwrap_err();
    assert!(matches!(err, SendError::Temporary(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "fails fast while down");
    assert_eq!(smsc.submit_attempts(), 0);
}

#[tokio::test]
async fn delivery_receipts_reach_the_channel() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, mut reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;

    let delivered = gateway.send(&sms("1", "one", Encoding::Gsm7)).await.unwrap();
    let report = report_of(timeout(WAIT, reports.recv()).await.unwrap().unwrap());
    assert_eq!(report.provider_id, delivered.provider_id);
    assert!(report.delivered);
    assert_eq!(report.detail, "DELIVRD");

    smsc.set_receipts(
        ReceiptMode::Undelivered,
        Duration::from_millis(10),
        ReceiptStyle::TextAndTlvs,
    );
    let failed = gateway.send(&sms("2", "two", Encoding::Gsm7)).await.unwrap();
    let report = report_of(timeout(WAIT, reports.recv()).await.unwrap().unwrap());
    assert_eq!(report.provider_id, failed.provider_id);
    assert!(!report.delivered);
    assert_eq!(report.detail, "UNDELIV");
    // Every receipt was acknowledged OK.
    let answers = smsc.wait_for_receipt_answers(2, WAIT).await;
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(|a| a.status == 0), "{answers:?}");
}

#[tokio::test]
async fn a_persons_reply_reaches_the_channel_as_a_reply() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, mut incoming) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;
    assert!(smsc.send_reply("84912345678", "8077", "TC").await);
    let reply = timeout(WAIT, incoming.recv()).await.unwrap().unwrap();
    assert_eq!(reply, Incoming::Reply(Reply { from: "84912345678".into(), text: "TC".into() }));
}

#[tokio::test]
async fn a_full_report_channel_asks_the_smsc_to_retry() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    smsc.set_receipts(ReceiptMode::Delivered, Duration::ZERO, ReceiptStyle::Text);
    let mut config = config(&smsc, "secret");
    config.receipt_buffer = 1;
    let (gateway, mut reports) = SmppGateway::start(config);
    wait_bound(&gateway).await;
    gateway.send(&sms("1", "one", Encoding::Gsm7)).await.unwrap();
    gateway.send(&sms("2", "two", Encoding::Gsm7)).await.unwrap();
    let answers = smsc.wait_for_receipt_answers(2, WAIT).await;
    let statuses: Vec<u32> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![0, 0x14], "second receipt: ESME_RMSGQFUL");
    assert!(report_of(reports.recv().await.unwrap()).delivered);
}

#[tokio::test]
async fn throttled_is_temporary_invalid_destination_is_permanent() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;

    smsc.refuse_next_submits(1, 0x58);
    let err = gateway.send(&sms("1", "hi", Encoding::Gsm7)).await.unwrap_err();
    assert!(matches!(err, SendError::Temporary(_)), "{err:?}");

    smsc.refuse_next_submits(1, 0x0B);
    let err = gateway.send(&sms("2", "hi", Encoding::Gsm7)).await.unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");

    assert_eq!(smsc.refused(), 2);
    // The session survives refusals.
    gateway.send(&sms("3", "hi", Encoding::Gsm7)).await.unwrap();
    assert_eq!(smsc.binds(), 1);
}

#[tokio::test]
async fn reconnects_after_the_smsc_restarts_on_the_same_port() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;
    gateway.send(&sms("1", "before", Encoding::Gsm7)).await.unwrap();

    smsc.stop();
    let deadline = Instant::now() + WAIT;
    while gateway.is_bound() {
        assert!(Instant::now() < deadline, "gateway did not notice the SMSC went away");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let err = gateway.send(&sms("2", "while down", Encoding::Gsm7)).await.unwrap_err();
    assert!(matches!(err, SendError::Temporary(_)), "{err:?}");

    smsc.restart().await;
    smsc.wait_for_binds(2, WAIT).await;
    send_when_up(&gateway, &sms("3", "after", Encoding::Gsm7)).await;
    let texts: Vec<String> = smsc.messages().into_iter().map(|m| m.text).collect();
    assert_eq!(texts, vec!["before", "after"]);
}

#[tokio::test]
async fn enquire_link_keeps_an_idle_link_alive() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let mut config = config(&smsc, "secret");
    config.enquire_link_interval = Duration::from_millis(100);
    let (gateway, _reports) = SmppGateway::start(config);
    smsc.wait_for_enquire_links(3, WAIT).await;
    assert!(gateway.is_bound());
    assert_eq!(smsc.binds(), 1, "answered enquire_links keep the one session");
}

#[tokio::test]
async fn an_smsc_that_stops_answering_is_a_dead_link() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let mut config = config(&smsc, "secret");
    config.enquire_link_interval = Duration::from_millis(100);
    config.response_timeout = Duration::from_millis(300);
    let (gateway, _reports) = SmppGateway::start(config);
    wait_bound(&gateway).await;
    smsc.set_hang(true);
    // Unanswered enquire_link: the gateway drops the link and binds again.
    smsc.wait_for_bind_attempts(2, WAIT).await;
    assert!(smsc.connections_accepted() >= 2);
}

#[tokio::test]
async fn the_window_bounds_submits_in_flight() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let mut config = config(&smsc, "secret");
    config.window = 3;
    config.response_timeout = Duration::from_secs(5);
    let (gateway, _reports) = SmppGateway::start(config);
    wait_bound(&gateway).await;

    smsc.set_hang(true);
    let sends: Vec<_> = (0..5)
        .map(|i| {
            let gateway = gateway.clone();
            tokio::spawn(
                async move { gateway.send(&sms(&i.to_string(), "hi", Encoding::Gsm7)).await },
            )
        })
        .collect();
    smsc.wait_for_submit_attempts(3, WAIT).await;
    // Give the other two every chance to arrive if the window did not hold them back.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smsc.submit_attempts(), 3);

    smsc.set_hang(false);
    for send in sends {
        send.await.unwrap().unwrap();
    }
    assert_eq!(smsc.messages().len(), 5);
    assert_eq!(smsc.max_unanswered_submits(), 3);
}

#[tokio::test]
async fn shutdown_unbinds() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;
    gateway.shutdown().await;
    assert_eq!(smsc.unbinds(), 1);
    assert!(!gateway.is_bound());
    let err = gateway.send(&sms("1", "hi", Encoding::Gsm7)).await.unwrap_err();
    assert!(matches!(err, SendError::Temporary(_)));
}

#[tokio::test]
async fn dropping_the_gateway_unbinds() {
    let smsc = FakeSmsc::start("esme", "secret").await;
    let (gateway, _reports) = SmppGateway::start(config(&smsc, "secret"));
    wait_bound(&gateway).await;
    drop(gateway);
    smsc.wait_for_unbinds(1, WAIT).await;
}
