//! An agency's webhook: set with a secret shown once, deliveries of online dossiers' events to
//! a receiver in this test, signed (checked here independently), retried until acknowledged.

use crate::helpers::*;
use crate::online_dossiers::{build, fields, files, key_of, submit, AGENCY};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

/// A one-stop-shop system's receiver: refuses the first delivery (as a system restarting
/// would), takes the rest.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let shared = seen.clone();
    let server = HttpServer::new(move || {
        let seen = shared.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let seen = seen.clone();
            async move {
                let header = |name: &str| {
                    req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
                };
                let mut seen = seen.lock().unwrap();
                seen.push(Received {
                    event: header("x-smartcity-event"),
                    delivery: header("x-smartcity-delivery"),
                    timestamp: header("x-smartcity-timestamp"),
                    signature: header("x-smartcity-signature"),
                    body: body.to_vec(),
                });
                if seen.len() == 1 {
                    HttpResponse::ServiceUnavailable().finish()
                } else {
                    HttpResponse::Ok().finish()
                }
            }
        }))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://127.0.0.1:{}/hooks/smartcity", server.addrs()[0].port());
    tokio::spawn(server.run());
    (url, seen)
}

fn expected_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

async fn wait_for(seen: &Arc<Mutex<Vec<Received>>>, count: usize) -> Vec<Received> {
    for _ in 0..150 {
        let now = seen.lock().unwrap().clone();
        if now.len() >= count {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{count} deliveries did not arrive: {:?}", seen.lock().unwrap());
}

#[tokio::test]
async fn the_ward_hears_of_each_online_dossier_signed_and_retried_until_acknowledged() {
    let (app, citizen) = seeded().await;
    let admin = app.admin_token().await;
    let key = key_of(&app, &admin, AGENCY).await;
    let put = |url: &str| {
        app.client
            .put(app.url("/v1/agency/webhook"))
            .header("x-api-key", &key)
            .json(&json!({"url": url}))
            .send()
    };
    let refused = put("http://motcua.example.vn/hooks").await.unwrap();
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "url", "plain http only to this machine");

    let (url, seen) = receiver().await;
    let set: Value = put(&url).await.unwrap().json().await.unwrap();
    let secret = set["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    let shown = app.client.get(app.url("/v1/agency/webhook")).header("x-api-key", &key).send();
    let shown: Value = shown.await.unwrap().json().await.unwrap();
    assert_eq!(shown["url"], url.as_str());
    assert!(shown.get("secret").is_none(), "the secret is shown once");

    let res = submit(&app, &citizen, build(fields(), files()), None).await;
    let code = res.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_string();
    // Refused once, then delivered again after the first backoff (5 s).
    let deliveries = wait_for(&seen, 2).await;
    assert_eq!(deliveries[0].delivery, deliveries[1].delivery, "the same delivery, retried");
    for delivery in &deliveries {
        assert_eq!(delivery.event, "dossier.submitted");
        let signed = expected_signature(&secret, &delivery.timestamp, &delivery.body);
        assert_eq!(delivery.signature, signed, "signed with the secret");
        let body: Value = serde_json::from_slice(&delivery.body).unwrap();
        assert_eq!(body["dossier_code"], code.as_str());
        assert_eq!(body["event"], "dossier.submitted");
    }
    let forged =
        expected_signature("not the secret", &deliveries[1].timestamp, &deliveries[1].body);
    assert_ne!(deliveries[1].signature, forged);

    // The ward's system follows the link with its key.
    let body: Value = serde_json::from_slice(&deliveries[1].body).unwrap();
    let dossier =
        app.client.get(app.url(body["dossier_url"].as_str().unwrap())).header("x-api-key", &key);
    assert_eq!(dossier.send().await.unwrap().status(), StatusCode::OK);

    // The citizen's withdrawal is told too, at once this time.
    let path = format!("/v1/dossiers/{code}/withdrawal");
    let res = app.client.post(app.url(&path)).bearer_auth(&citizen).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let deliveries = wait_for(&seen, 3).await;
    assert_eq!(deliveries[2].event, "dossier.withdrawn");
    assert_ne!(deliveries[2].delivery, deliveries[0].delivery);

    let removed = app.client.delete(app.url("/v1/agency/webhook")).header("x-api-key", &key);
    assert_eq!(removed.send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let shown = app.client.get(app.url("/v1/agency/webhook")).header("x-api-key", &key);
    assert_eq!(shown.send().await.unwrap().status(), StatusCode::NOT_FOUND);
}
