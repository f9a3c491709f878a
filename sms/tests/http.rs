//! The HTTP brandname gateway against the fake provider, over real HTTP.

use serde_json::json;
use smartcity_sms::{
    Encoding, HttpFieldNames, HttpGateway, HttpGatewayConfig, OutgoingSms, ReportConfig, SendError,
    SuccessCheck,
};
use smartcity_testkit::fake_sms_http::{CallbackSink, FakeSmsHttp};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn sms(id: &str) -> OutgoingSms {
    OutgoingSms {
        id: id.into(),
        to: "+84912345678".into(),
        text: "Hồ sơ đã có kết quả".into(),
        encoding: Encoding::Ucs2,
    }
}

#[tokio::test]
async fn default_shape_sends_fields_and_reads_the_id() {
    let provider = FakeSmsHttp::start().await;
    let sink = CallbackSink::start().await;
    let mut config = HttpGatewayConfig::new(provider.send_url(), "SMARTCITY");
    config.auth_header = Some(("Authorization".into(), "Bearer t0ken".into()));
    config.callback_url = Some(sink.url());
    config.extra_fields.insert("ApiKey".into(), json!("k1"));
    let gateway = HttpGateway::new(config).unwrap();

    let accepted = gateway.send(&sms("row-7")).await.unwrap();
    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.headers["authorization"], "Bearer t0ken");
    assert_eq!(
        request.body,
        json!({
            "ApiKey": "k1",
            "Brandname": "SMARTCITY",
            "Phone": "84912345678",
            "Content": "Hồ sơ đã có kết quả",
            "SmsType": "2",
            "RequestId": "row-7",
            "CallbackUrl": sink.url(),
        })
    );
    assert_eq!(Some(&accepted.provider_id), request.provider_id.as_ref());

    // The provider posts its report to the callback; the API's handler parses it.
    assert_eq!(provider.post_report_for(&accepted.provider_id, "2").await, 200);
    let bodies = sink.wait_for(1, WAIT).await;
    let report = gateway.parse_report(&bodies[0]).unwrap();
    assert_eq!(report.provider_id, accepted.provider_id);
    assert!(report.delivered);
    assert_eq!(report.detail, "2");

    let failed = gateway.parse_report(&provider.report_body(&accepted.provider_id, "3")).unwrap();
    assert!(!failed.delivered);
    assert_eq!(gateway.parse_report(&json!({ "unrelated": 1 })), None);
}

#[tokio::test]
async fn field_names_and_pointers_are_configuration() {
    let provider = FakeSmsHttp::start().await;
    provider.set_answer_template(json!({ "status": { "code": 0 }, "data": { "msg_id": "{id}" } }));
    let mut config = HttpGatewayConfig::new(provider.send_url(), "UBND-PHUONG");
    config.auth_header = Some(("apikey".into(), "abc".into()));
    config.sms_type = "8".into();
    config.phone_format = smartcity_sms::PhoneFormat::National;
    config.fields = HttpFieldNames {
        brandname: "from".into(),
        phone: "to".into(),
        message: "text".into(),
        sms_type: "type".into(),
        request_id: "ref".into(),
        callback_url: None,
        unicode: Some("unicode".into()),
    };
    config.message_id_pointer = "/data/msg_id".into();
    config.success = Some(SuccessCheck { pointer: "/status/code".into(), value: "0".into() });
    config.report = ReportConfig {
        id_pointer: "/msg_id".into(),
        status_pointer: "/state".into(),
        delivered_values: vec!["delivered".into()],
    };
    let gateway = HttpGateway::new(config).unwrap();

    let accepted = gateway.send(&sms("r1")).await.unwrap();
    let request = &provider.requests()[0];
    assert_eq!(request.headers["apikey"], "abc");
    assert_eq!(
        request.body,
        json!({
            "from": "UBND-PHUONG",
            "to": "0912345678",
            "text": "Hồ sơ đã có kết quả",
            "type": "8",
            "ref": "r1",
            "unicode": "1",
        })
    );
    assert_eq!(Some(&accepted.provider_id), request.provider_id.as_ref());
    let report = gateway
        .parse_report(&json!({ "msg_id": accepted.provider_id, "state": "DELIVERED" }))
        .unwrap();
    assert!(report.delivered);
}

#[tokio::test]
async fn failures_are_classified() {
    let provider = FakeSmsHttp::start().await;
    let gateway =
        HttpGateway::new(HttpGatewayConfig::new(provider.send_url(), "SMARTCITY")).unwrap();

    provider.fail_next(1, 503);
    assert!(matches!(gateway.send(&sms("1")).await, Err(SendError::Temporary(_))));
    provider.fail_next(1, 429);
    assert!(matches!(gateway.send(&sms("2")).await, Err(SendError::Temporary(_))));
    provider.fail_next(1, 400);
    assert!(matches!(gateway.send(&sms("3")).await, Err(SendError::Permanent(_))));
    provider.answer_body_next(
        1,
        json!({ "CodeResult": "104", "ErrorMessage": "Brandname chưa đăng ký" }),
    );
    let err = gateway.send(&sms("4")).await.unwrap_err();
    assert!(matches!(&err, SendError::Permanent(m) if m.contains("104")), "{err:?}");
    // After the scripted failures, it works again.
    gateway.send(&sms("5")).await.unwrap();
    assert_eq!(provider.requests().len(), 5);
}

#[tokio::test]
async fn unreachable_and_slow_providers_are_temporary() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gateway =
        HttpGateway::new(HttpGatewayConfig::new(format!("http://127.0.0.1:{port}/send"), "X"))
            .unwrap();
    assert!(matches!(gateway.send(&sms("1")).await, Err(SendError::Temporary(_))));

    // A provider that accepts the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            sockets.push(socket);
        }
    });
    let mut config = HttpGatewayConfig::new(url, "X");
    config.timeout = Duration::from_millis(300);
    let gateway = HttpGateway::new(config).unwrap();
    assert!(matches!(gateway.send(&sms("2")).await, Err(SendError::Temporary(_))));
    held.abort();
}
