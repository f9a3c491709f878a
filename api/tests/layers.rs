//! The house's rule, checked on the source: dependencies point one way. Inside `api`, `http`,
//! `console` and `jobs` may use `app`, which may use `adapters`; `config` sits beside
//! `adapters`; only `startup` and `cli` wire layers together. `app` knows no web framework, so the JSON API,
//! the console and the jobs call the same use cases. Below `api`, `db` knows no HTTP and
//! `domain` does no IO at all.

use std::path::{Path, PathBuf};

const API_SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Each layer (a folder or file of `api/src`) and what it must never name.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "app",
        &[
            "crate::http",
            "crate::jobs",
            "crate::cli",
            "crate::startup",
            "actix_web",
            "actix_multipart",
        ],
    ),
    (
        "adapters",
        &[
            "crate::app",
            "crate::http",
            "crate::jobs",
            "crate::config",
            "crate::cli",
            "crate::startup",
            "actix_web",
        ],
    ),
    ("jobs", &["crate::http", "crate::cli", "crate::startup", "actix_web"]),
    ("http", &["crate::console", "crate::jobs", "crate::cli", "crate::startup"]),
    // The console may use the API's plumbing (multipart reading, the client's address), never
    // the other way round.
    ("console", &["crate::jobs", "crate::cli", "crate::startup"]),
    ("config.rs", &["crate::app", "crate::http", "crate::jobs", "crate::cli", "crate::startup"]),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("readable folder") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The code of a file without its comments, so a comment may name another layer.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable source");
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Every `(file, forbidden name)` a layer's code contains.
fn crossings() -> Vec<String> {
    let mut found = Vec::new();
    for (layer, forbidden) in FORBIDDEN {
        let mut files = Vec::new();
        rust_files(&Path::new(API_SRC).join(layer), &mut files);
        assert!(!files.is_empty(), "layer {layer} has no source: the test is out of date");
        for file in files {
            let code = code_of(&file);
            for name in *forbidden {
                if code.contains(name) {
                    found.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    found
}

#[test]
fn each_layer_depends_only_on_the_layers_below_it() {
    let found = crossings();
    assert!(found.is_empty(), "dependencies pointing the wrong way:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_crossing_when_there_is_one() {
    // A layer's own source naming a forbidden one is what the test above looks for; make sure
    // its reading of the code would notice, on a file written like ours.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("example.rs");
    std::fs::write(&file, "// crate::http in a comment is fine\nuse crate::http::auth;\n").unwrap();
    let code = code_of(&file);
    assert!(code.contains("crate::http::auth"));
    assert_eq!(code.matches("crate::http").count(), 1, "the comment is not counted");
}

/// What a crate's manifest lists as dependencies.
fn dependencies(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).expect("readable manifest");
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                names.push(name.trim().to_string());
            }
        }
    }
    names
}

#[test]
fn the_domain_does_no_io_and_the_database_layer_knows_no_http() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace");
    let domain = dependencies(root.join("domain/Cargo.toml").to_str().unwrap());
    assert!(domain.contains(&"chrono".to_string()), "read the manifest: {domain:?}");
    for io in ["diesel", "actix-web", "tokio", "reqwest", "object_store", "smartcity-db"] {
        assert!(!domain.contains(&io.to_string()), "domain depends on {io}");
    }
    let db = dependencies(root.join("db/Cargo.toml").to_str().unwrap());
    assert!(db.contains(&"diesel".to_string()), "read the manifest: {db:?}");
    for http in ["actix-web", "actix-multipart", "reqwest", "smartcity-api"] {
        assert!(!db.contains(&http.to_string()), "db depends on {http}");
    }
}
