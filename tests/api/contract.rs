//! `openapi.yaml` and the server cannot drift apart: every mounted route is in the spec and
//! every operation in the spec is answered (HEAD and OPTIONS, which every path answers by rule,
//! only where the spec documents them).

use actix_web::http::Method;
use smartcity_api::http::routes::answered;
use std::collections::{BTreeMap, BTreeSet};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

fn spec() -> serde_yaml::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("openapi.yaml")).expect("valid YAML")
}

#[test]
fn every_route_is_in_the_spec_and_every_operation_is_a_route() {
    let spec = spec();
    assert_eq!(spec["openapi"].as_str().map(|v| v.starts_with("3.1")), Some(true));
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        let path = path.as_str().unwrap();
        for (method, operation) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if METHODS.contains(&method) {
                assert!(operation["responses"].is_mapping(), "{method} {path} has responses");
                documented.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    let table = smartcity_api::http::routes::route_table();
    let mounted: BTreeSet<(String, String)> =
        table.iter().map(|(method, path)| (method.to_string(), path.clone())).collect();
    // HEAD beside GET and OPTIONS everywhere are answered by rule: the spec may document them
    // where it chooses, but need not.
    let mut declared: BTreeMap<&str, Vec<Method>> = BTreeMap::new();
    for (method, path) in &table {
        declared.entry(path).or_default().push(method.clone());
    }
    let answered: BTreeSet<(String, String)> = declared
        .iter()
        .flat_map(|(path, methods)| {
            answered(methods).into_iter().map(|method| (method.to_string(), path.to_string()))
        })
        .collect();
    let undocumented: Vec<_> = mounted.difference(&documented).collect();
    let unmounted: Vec<_> = documented.difference(&answered).collect();
    assert!(undocumented.is_empty(), "routes missing from openapi.yaml: {undocumented:?}");
    assert!(unmounted.is_empty(), "operations in openapi.yaml with no route: {unmounted:?}");
}

#[test]
fn every_error_response_in_the_spec_is_problem_json_or_open311_s_list() {
    let spec = spec();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        for (method, operation) in item.as_mapping().unwrap() {
            if !METHODS.contains(&method.as_str().unwrap()) {
                continue;
            }
            for (status, response) in operation["responses"].as_mapping().unwrap() {
                let status = match status {
                    serde_yaml::Value::Number(n) => n.to_string(),
                    other => other.as_str().unwrap_or_default().to_string(),
                };
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let response = resolve(&spec, response);
                let open311_list = response["content"]["application/json"]["schema"]["$ref"]
                    == "#/components/schemas/Open311Errors";
                // GeoReport defines its own error list; what the framework refuses before our
                // handler runs (a body too large) is still a problem.
                if path.as_str().unwrap().starts_with("/open311/") && status != "413" {
                    assert!(open311_list, "{method:?} {path:?} {status} is not GeoReport's list");
                    continue;
                }
                assert!(
                    response["content"]["application/problem+json"].is_mapping(),
                    "{method:?} {path:?} {status} is not problem+json"
                );
            }
        }
    }
}

/// The limits checked before routing can meet any operation, so every operation lists them:
/// 414 and 431 as problems (GeoReport's 400 list on Open311's paths), and 413 wherever a body
/// is taken (a problem on every path).
#[test]
fn every_operation_lists_the_limits_checked_before_routing() {
    let spec = spec();
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        let path = path.as_str().unwrap();
        for (method, operation) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if !METHODS.contains(&method) {
                continue;
            }
            let mut expected = if path.starts_with("/open311/") {
                vec![("400", "Open311BadRequest")]
            } else {
                vec![("414", "UriTooLong"), ("431", "HeadersTooLarge")]
            };
            if operation["requestBody"].is_mapping() {
                expected.push(("413", "BodyTooLarge"));
            }
            for (status, name) in expected {
                let reference = format!("#/components/responses/{name}");
                if operation["responses"][status]["$ref"].as_str() != Some(reference.as_str()) {
                    missing.push(format!("{method} {path} {status} ({name})"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "operations without the limits' answers: {missing:?}");
}

/// Follows a `$ref` to `#/components/...`.
fn resolve<'a>(spec: &'a serde_yaml::Value, value: &'a serde_yaml::Value) -> &'a serde_yaml::Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            reference.trim_start_matches("#/").split('/').fold(spec, |node, key| &node[key])
        }
        None => value,
    }
}

#[test]
fn the_spec_lists_exactly_the_error_codes_the_server_answers_with() {
    let spec = spec();
    let listed: BTreeSet<String> = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_sequence()
        .expect("ErrorCode lists its codes")
        .iter()
        .map(|code| code.as_str().unwrap().to_string())
        .collect();
    let answered: BTreeSet<String> =
        smartcity_api::app::ErrorCode::ALL.iter().map(|code| code.as_str().to_string()).collect();
    let unlisted: Vec<_> = answered.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&answered).collect();
    assert!(unlisted.is_empty(), "codes missing from openapi.yaml's ErrorCode: {unlisted:?}");
    assert!(unknown.is_empty(), "codes in openapi.yaml the server never answers: {unknown:?}");
}

/// The word lists the server sends whole (`GET /v1/me/notification-settings` lists every kind):
/// a word the spec does not have fails every client generated from it.
#[test]
fn the_spec_lists_exactly_the_notification_kinds_there_are() {
    let spec = spec();
    let listed: Vec<&str> = spec["components"]["schemas"]["NotificationKind"]["enum"]
        .as_sequence()
        .expect("NotificationKind lists its words")
        .iter()
        .map(|kind| kind.as_str().unwrap())
        .collect();
    assert_eq!(listed, smartcity_domain::push::KINDS);
}
