//! The FCM HTTP v1 client against the fake Google: the request it sends, how it reads each
//! answer, its access-token cache, and its limits.

use serde_json::{json, Value};
use smartcity_api::adapters::fcm::{
    CredentialsError, EncodeError, FcmClient, FcmOptions, PushMessage, SendOutcome, ServiceAccount,
    MAX_PAYLOAD_BYTES,
};
use smartcity_testkit::fake_google::{FakeGoogle, CLIENT_EMAIL, PROJECT_ID};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::time::{Duration, Instant};

fn account(google: &FakeGoogle) -> ServiceAccount {
    ServiceAccount::from_json(&google.service_account_json()).expect("the fake's service account")
}

fn client_with(google: &FakeGoogle, options: FcmOptions) -> FcmClient {
    FcmClient::with_options(account(google), google.base_url(), options).expect("client")
}

fn client_for(google: &FakeGoogle) -> FcmClient {
    client_with(google, FcmOptions::default())
}

fn message(token: &str) -> PushMessage {
    PushMessage {
        token: token.into(),
        title: "Phản ánh đã được tiếp nhận".into(),
        body: "Phường Bến Nghé đã tiếp nhận phản ánh của bạn.".into(),
        ..PushMessage::default()
    }
}

fn is_sent(outcome: &SendOutcome) -> bool {
    matches!(outcome, SendOutcome::Sent { .. })
}

#[tokio::test]
async fn a_service_account_file_gives_the_four_fields_and_debug_hides_the_key() {
    let google = FakeGoogle::start().await;
    let account = account(&google);
    assert_eq!(account.project_id, PROJECT_ID);
    assert_eq!(account.client_email, CLIENT_EMAIL);
    assert_eq!(account.token_uri, google.token_uri());
    assert!(account.private_key.starts_with("-----BEGIN PRIVATE KEY-----"));
    let debug = format!("{account:?}");
    assert!(debug.contains(CLIENT_EMAIL), "{debug}");
    assert!(!debug.contains("PRIVATE KEY"), "the key leaks into {debug}");
}

#[tokio::test]
async fn credentials_errors_name_the_field_and_the_file() {
    let google = FakeGoogle::start().await;
    let full: Value = serde_json::from_str(&google.service_account_json()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, json: &Value| {
        let path = dir.path().join(name);
        std::fs::File::create(&path).unwrap().write_all(json.to_string().as_bytes()).unwrap();
        path
    };
    for field in ["project_id", "client_email", "private_key", "token_uri"] {
        let mut without = full.clone();
        without.as_object_mut().unwrap().remove(field);
        let path = write(&format!("without-{field}.json"), &without);
        let error = ServiceAccount::from_file(&path).unwrap_err().to_string();
        assert!(error.contains(&format!("`{field}`")), "{error}");
        assert!(error.contains(&path.display().to_string()), "{error}");

        let mut empty = full.clone();
        empty[field] = json!("");
        let error = ServiceAccount::from_json(&empty.to_string()).unwrap_err();
        assert!(matches!(error, CredentialsError::MissingField(name) if name == field), "{error}");
    }

    let mut not_a_key = full.clone();
    not_a_key["private_key"] =
        json!("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    let error = ServiceAccount::from_json(&not_a_key.to_string()).unwrap_err().to_string();
    assert!(error.contains("`private_key`"), "{error}");

    let mut user_credentials = full.clone();
    user_credentials["type"] = json!("authorized_user");
    let error = ServiceAccount::from_json(&user_credentials.to_string()).unwrap_err().to_string();
    assert!(error.contains("\"authorized_user\""), "{error}");

    assert!(matches!(
        ServiceAccount::from_json("{\"project_id\": "),
        Err(CredentialsError::Json(_))
    ));
    assert!(matches!(ServiceAccount::from_json("[]"), Err(CredentialsError::NotAnObject)));
    let missing = dir.path().join("nowhere.json");
    let error = ServiceAccount::from_file(&missing).unwrap_err().to_string();
    assert!(error.contains(&missing.display().to_string()), "{error}");
}

#[tokio::test]
async fn a_message_reaches_fcm_in_the_v1_shape() {
    let google = FakeGoogle::start().await;
    let client = client_for(&google);
    let update = PushMessage {
        token: "device-android-1".into(),
        title: "Phản ánh đã được giải quyết".into(),
        body: "Ổ gà trên đường Lê Lợi đã được vá.".into(),
        data: BTreeMap::from([
            ("kind".to_string(), "complaint_resolved".to_string()),
            ("complaint_id".to_string(), "c-42".to_string()),
            ("status".to_string(), "resolved".to_string()),
        ]),
        collapse_key: Some("complaint:c-42".into()),
        android_channel: Some("complaint_updates".into()),
        badge: Some(3),
        high_priority: true,
    };
    let outcome = client.send(&update).await;
    let SendOutcome::Sent { name } = &outcome else { panic!("{outcome:?}") };
    assert!(name.starts_with(&format!("projects/{PROJECT_ID}/messages/")), "{name}");
    let sent = google.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].message,
        json!({
            "token": "device-android-1",
            "notification": {
                "title": "Phản ánh đã được giải quyết",
                "body": "Ổ gà trên đường Lê Lợi đã được vá.",
            },
            "data": { "complaint_id": "c-42", "kind": "complaint_resolved", "status": "resolved" },
            "android": {
                "priority": "HIGH",
                "collapse_key": "complaint:c-42",
                "notification": { "channel_id": "complaint_updates" },
            },
            "apns": {
                "headers": { "apns-priority": "10", "apns-collapse-id": "complaint:c-42" },
                "payload": { "aps": { "badge": 3 } },
            },
        })
    );

    // Absent options are left out, not sent as nulls.
    let plain = message("device-ios-2");
    assert!(is_sent(&client.send(&plain).await));
    assert_eq!(
        google.sent()[1].message,
        json!({
            "token": "device-ios-2",
            "notification": { "title": plain.title, "body": plain.body },
            "android": { "priority": "NORMAL" },
            "apns": { "headers": { "apns-priority": "5" } },
        })
    );
}

#[tokio::test]
async fn dead_tokens_are_told_apart_from_refused_messages() {
    let google = FakeGoogle::start().await;
    let client = client_for(&google);
    for (token, code) in [
        ("unregistered-1", "UNREGISTERED"),
        ("invalid-1", "message.token"),
        ("malformed-1", "not a valid FCM registration token"),
        ("mismatch-1", "SENDER_ID_MISMATCH"),
    ] {
        let outcome = client.send(&message(token)).await;
        assert!(
            matches!(&outcome, SendOutcome::DeadToken { reason } if reason.contains(code)),
            "{token}: {outcome:?}"
        );
    }
    for (token, code) in [("badfield-1", "message.apns.headers"), ("thirdparty-1", "THIRD_PARTY")] {
        let outcome = client.send(&message(token)).await;
        assert!(
            matches!(&outcome, SendOutcome::Failed { reason } if reason.contains(code)),
            "{token}: {outcome:?}"
        );
    }
    assert_eq!(google.token_requests(), 1, "THIRD_PARTY_AUTH_ERROR is no access-token refresh");
    assert_eq!(google.send_attempts(), 6, "one request each");

    // A project the account may not send for: Google's 403 without FCM's code is the
    // configuration's fault, not the device's.
    let mut elsewhere = account(&google);
    elsewhere.project_id = "someone-elses-project".into();
    let client = FcmClient::new(elsewhere, google.base_url()).unwrap();
    let outcome = client.send(&message("device-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Failed { reason } if reason.contains("PERMISSION_DENIED")),
        "{outcome:?}"
    );
    assert!(google.sent().is_empty());
}

#[tokio::test]
async fn overload_and_outages_are_retried_honouring_retry_after() {
    let google = FakeGoogle::start().await;
    let client = client_for(&google);

    let outcome = client.send(&message("busy-1")).await;
    let SendOutcome::Retry { after, reason } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(*after, Some(Duration::from_secs(1)));
    assert!(reason.contains("QUOTA_EXCEEDED"), "{reason}");

    // Retry-After as an HTTP-date two minutes ahead (second precision).
    let outcome = client.send(&message("backoff-1")).await;
    let SendOutcome::Retry { after: Some(after), .. } = outcome else { panic!("{outcome:?}") };
    assert!(after > Duration::from_secs(110) && after <= Duration::from_secs(120), "{after:?}");

    for (token, code) in [("down-1", "503"), ("internal-1", "500")] {
        let outcome = client.send(&message(token)).await;
        assert!(
            matches!(&outcome, SendOutcome::Retry { after: None, reason } if reason.contains(code)),
            "{token}: {outcome:?}"
        );
    }
    assert!(google.sent().is_empty());
}

#[tokio::test]
async fn unreachable_or_stalled_fcm_is_retried() {
    let google = FakeGoogle::start().await;
    let closed_port =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client =
        FcmClient::new(account(&google), format!("http://127.0.0.1:{closed_port}")).unwrap();
    let outcome = client.send(&message("device-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Retry { after: None, reason } if reason.contains("unreachable")),
        "{outcome:?}"
    );

    let options =
        FcmOptions { request_timeout: Duration::from_millis(500), ..FcmOptions::default() };
    let client = client_with(&google, options);
    let started = Instant::now();
    let outcome = client.send(&message("stall-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Retry { after: None, reason } if reason.contains("timed out")),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn https_to_fcm_handshakes_with_rustls_without_a_process_wide_provider() {
    let google = FakeGoogle::start().await;
    // Not TLS: the handshake starts (needing a crypto provider) and fails on the answer.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut connection in listener.incoming().flatten() {
            let _ = connection.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let client = FcmClient::new(account(&google), format!("https://127.0.0.1:{port}")).unwrap();
    let outcome = client.send(&message("device-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Retry { reason, .. } if reason.contains("corrupt message")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn the_access_token_is_fetched_once_for_many_sends() {
    let google = FakeGoogle::start().await;
    let client = client_for(&google);
    for i in 0..5 {
        assert!(is_sent(&client.send(&message(&format!("device-{i}"))).await));
    }
    assert_eq!(google.token_requests(), 1);
    let bearers: HashSet<String> = google.sent().into_iter().map(|s| s.access_token).collect();
    assert_eq!(bearers.len(), 1);
}

#[tokio::test]
async fn an_access_token_is_replaced_before_it_expires() {
    let google = FakeGoogle::start().await;
    google.set_token_lifetime(Duration::from_secs(4));
    let client = client_for(&google);
    assert!(is_sent(&client.send(&message("device-1")).await));
    assert!(is_sent(&client.send(&message("device-2")).await));
    assert_eq!(google.token_requests(), 1);

    // Past half its life the token is replaced, never presented expired.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(is_sent(&client.send(&message("device-3")).await));
    assert_eq!(google.token_requests(), 2);
    let sent = google.sent();
    assert_eq!(sent[0].access_token, sent[1].access_token);
    assert_ne!(sent[1].access_token, sent[2].access_token);
    assert_eq!(google.send_attempts(), 3, "no request was refused");
}

#[tokio::test]
async fn a_401_costs_one_refresh_and_one_retry() {
    let google = FakeGoogle::start().await;
    let client = client_for(&google);
    assert!(is_sent(&client.send(&message("device-1")).await));
    assert_eq!((google.token_requests(), google.send_attempts()), (1, 1));

    // FCM refuses the token once (it expired early): a new token, the same message again.
    let outcome = client.send(&message("expire-1")).await;
    assert!(is_sent(&outcome), "{outcome:?}");
    assert_eq!((google.token_requests(), google.send_attempts()), (2, 3));

    google.revoke_access_tokens();
    assert!(is_sent(&client.send(&message("device-2")).await));
    assert_eq!((google.token_requests(), google.send_attempts()), (3, 5));
    assert_eq!(google.sent().len(), 3);

    // Refused again with a fresh token: give up rather than loop.
    let outcome = client.send(&message("unauthorized-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Failed { reason } if reason.contains("UNAUTHENTICATED")),
        "{outcome:?}"
    );
    assert_eq!((google.token_requests(), google.send_attempts()), (4, 7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_sends_share_one_token_and_stay_within_the_limit() {
    let google = FakeGoogle::start().await;
    // Every sender asks for a token while the first fetch is still on its way.
    google.set_token_latency(Duration::from_millis(300));
    let client = client_with(&google, FcmOptions { max_in_flight: 8, ..FcmOptions::default() });
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..200 {
        let client = client.clone();
        sends.spawn(async move { client.send(&message(&format!("slow-{i}"))).await });
    }
    while let Some(outcome) = sends.join_next().await {
        let outcome = outcome.unwrap();
        assert!(is_sent(&outcome), "{outcome:?}");
    }
    assert_eq!(google.token_requests(), 1);
    let tokens: HashSet<String> = google
        .sent()
        .into_iter()
        .map(|s| s.message["token"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tokens.len(), 200);
    let most = google.max_concurrent_sends();
    assert!(most > 1 && most <= 8, "{most} requests at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_token_endpoint_is_asked_once_for_everyone_waiting() {
    let google = FakeGoogle::start().await;
    google.fail_token_requests(Some(503));
    google.set_token_latency(Duration::from_millis(300));
    let client = client_for(&google);
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..10 {
        let client = client.clone();
        sends.spawn(async move { client.send(&message(&format!("device-{i}"))).await });
    }
    while let Some(outcome) = sends.join_next().await {
        let outcome = outcome.unwrap();
        assert!(
            matches!(&outcome, SendOutcome::Retry { reason, .. } if reason.contains("503")),
            "{outcome:?}"
        );
    }
    assert_eq!(google.token_requests(), 1);

    // Refused credentials are no passing trouble.
    google.set_token_latency(Duration::ZERO);
    google.fail_token_requests(Some(400));
    let outcome = client.send(&message("device-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Failed { reason } if reason.contains("400")),
        "{outcome:?}"
    );
    assert_eq!(google.send_attempts(), 0);

    google.fail_token_requests(None);
    assert!(is_sent(&client.send(&message("device-1")).await));
}

#[tokio::test]
async fn an_assertion_signed_with_another_key_is_refused() {
    let google = FakeGoogle::start().await;
    let mut impostor = account(&google);
    impostor.private_key = include_str!("../../testkit/fixtures/fcm-test-unrelated-key.pem").into();
    let client = FcmClient::new(impostor, google.base_url()).unwrap();
    let outcome = client.send(&message("device-1")).await;
    assert!(
        matches!(&outcome, SendOutcome::Failed { reason } if reason.contains("invalid_grant: Invalid JWT Signature")),
        "{outcome:?}"
    );
    assert_eq!(google.token_requests(), 1);
    assert_eq!(google.send_attempts(), 0);
}

#[tokio::test]
async fn long_text_is_cut_to_fit_and_data_is_never_cut() {
    let body =
        "Nước ngập sâu 40 cm trên đường Nguyễn Hữu Cảnh, xe máy chết máy hàng loạt. ".repeat(100);
    let data = BTreeMap::from([("complaint_id".to_string(), "c-7".to_string())]);
    let flood = PushMessage { body: body.clone(), data: data.clone(), ..message("device-1") };
    let encoded = flood.encode().unwrap();
    assert!(encoded.len() <= MAX_PAYLOAD_BYTES, "{} bytes", encoded.len());
    assert!(encoded.len() > MAX_PAYLOAD_BYTES - 8, "cut more than needed: {} bytes", encoded.len());
    let request: Value = serde_json::from_slice(&encoded).unwrap();
    let cut = request["message"]["notification"]["body"].as_str().unwrap();
    let kept = cut.strip_suffix('…').expect("a cut body ends in …");
    assert!(body.starts_with(kept));
    assert_eq!(request["message"]["notification"]["title"], flood.title.as_str());
    assert_eq!(request["message"]["data"], json!(data));

    let google = FakeGoogle::start().await;
    let client = client_for(&google);
    assert!(is_sent(&client.send(&flood).await));
    let sent = google.sent();
    assert_eq!(sent[0].message["notification"]["body"], cut);
    assert!(sent[0].body_bytes <= MAX_PAYLOAD_BYTES);

    // When even an empty body leaves no room, the body goes and the title is cut.
    let headline = PushMessage { title: "Đ".repeat(3000), ..flood.clone() };
    let request: Value = serde_json::from_slice(&headline.encode().unwrap()).unwrap();
    assert_eq!(request["message"]["notification"]["body"], "");
    let title = request["message"]["notification"]["title"].as_str().unwrap();
    assert!(title.ends_with('…') && title.starts_with("ĐĐĐ"), "{title}");

    // Data is what the app routes on: too much of it is refused, and nothing is sent.
    let bulky = PushMessage {
        data: BTreeMap::from([("note".to_string(), "x".repeat(5000))]),
        ..message("device-2")
    };
    assert!(matches!(bulky.encode(), Err(EncodeError::TooLarge { .. })));
    let outcome = client.send(&bulky).await;
    assert!(
        matches!(&outcome, SendOutcome::Failed { reason } if reason.contains("4096")),
        "{outcome:?}"
    );
    let long_key = PushMessage { collapse_key: Some("k".repeat(65)), ..message("device-3") };
    assert_eq!(long_key.encode(), Err(EncodeError::CollapseKeyTooLong(65)));
    assert_eq!(google.send_attempts(), 1);
}
