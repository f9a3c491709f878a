//! The PostgreSQL templates test databases are cloned from (`testkit/src/test_db.rs`): test processes of
//! other checkouts share the server, each with its own migrations' template, so a template of
//! other migrations is dropped only when no running process uses it, and processes that need
//! the same new template at once all get one that is whole.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use smartcity_testkit::test_db::{
    drop_stale_templates, ensure_template, execute, exists, hold_template, postgres_admin_url,
    template_name, with_database, with_templates_locked, TestDb, TEMPLATE_PREFIX,
    TEST_DATABASE_ENV,
};

fn admin_url() -> Option<String> {
    let url = postgres_admin_url();
    if url.is_none() {
        eprintln!(
            "skipped: templates exist only on PostgreSQL; \
             set {TEST_DATABASE_ENV}=postgres://postgres@127.0.0.1:5432/postgres (CI does)"
        );
    }
    url
}

fn connect(url: &str) -> PgConnection {
    PgConnection::establish(url).expect("PostgreSQL")
}

/// The template name migrations nobody has yet would get.
fn unknown_template() -> String {
    format!("{TEMPLATE_PREFIX}{:x}", rand::random::<u64>())
}

/// Databases this test made, dropped at its end, also when it fails.
struct Made {
    url: String,
    names: Vec<String>,
}

impl Drop for Made {
    fn drop(&mut self) {
        let mut admin = connect(&self.url);
        for name in &self.names {
            let _ = execute(&mut admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A clone of `template`, as a test would take, dropped again.
fn clone_once(admin: &mut PgConnection, template: &str) {
    let clone = format!("smartcity_test_{}", uuid::Uuid::new_v4().simple());
    with_templates_locked(admin, |admin| {
        execute(admin, &format!("CREATE DATABASE {clone} TEMPLATE {template}"))
    })
    .unwrap_or_else(|e| panic!("clone of {template}: {e}"));
    execute(admin, &format!("DROP DATABASE {clone} WITH (FORCE)")).expect("drop the clone");
}

#[test]
fn templates_of_other_migrations_are_dropped_unless_a_running_process_uses_them() {
    let Some(url) = admin_url() else { return };
    let mut admin = connect(&url);
    let _mine = TestDb::create(); // this process's template exists, and is held
    let current = template_name();
    let (unused, in_use) = (unknown_template(), unknown_template());
    let _made = Made { url: url.clone(), names: vec![unused.clone(), in_use.clone()] };
    for name in [&unused, &in_use] {
        execute(&mut admin, &format!("CREATE DATABASE {name}")).expect("another template");
    }

    // A test process of another checkout, running: it holds its template and clones from it
    // while this one cleans up.
    let held = hold_template(&url, &in_use);
    let other_process = std::thread::spawn({
        let (url, in_use) = (url.clone(), in_use.clone());
        move || {
            let mut admin = connect(&url);
            for _ in 0..10 {
                clone_once(&mut admin, &in_use);
            }
        }
    });
    let mut dropped = Vec::new();
    for _ in 0..10 {
        dropped.extend(with_templates_locked(&mut admin, |a| drop_stale_templates(a, &current)));
    }
    other_process.join().expect("every clone of the template in use succeeded");

    assert!(!exists(&mut admin, &unused), "the unused template is gone");
    assert!(exists(&mut admin, &in_use), "the template in use stays");
    assert!(exists(&mut admin, &current), "this process's own template stays");
    assert!(!dropped.contains(&in_use) && !dropped.contains(&current), "{dropped:?}");

    // That process ends: its template is stale now (once the server has ended its session).
    drop(held);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while exists(&mut admin, &in_use) && std::time::Instant::now() < deadline {
        with_templates_locked(&mut admin, |a| drop_stale_templates(a, &current));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!exists(&mut admin, &in_use), "a template nobody uses any more is dropped");
}

#[test]
fn processes_needing_the_same_new_template_at_once_each_clone_a_migrated_one() {
    let Some(url) = admin_url() else { return };
    let mut admin = connect(&url);
    let template = unknown_template();
    let unfinished = format!("{template}_new");
    let _made = Made { url: url.clone(), names: vec![template.clone(), unfinished.clone()] };
    // The processes hold it, as they do their own template, so no other run drops it meanwhile.
    let _held = hold_template(&url, &template);
    // What a process killed while migrating leaves behind.
    execute(&mut admin, &format!("CREATE DATABASE {unfinished}")).expect("an unfinished one");

    let processes: Vec<_> = (0..3)
        .map(|_| {
            let (url, template) = (url.clone(), template.clone());
            std::thread::spawn(move || {
                let mut admin = connect(&url);
                let clone = format!("smartcity_test_{}", uuid::Uuid::new_v4().simple());
                let _made = Made { url: url.clone(), names: vec![clone.clone()] };
                with_templates_locked(&mut admin, |admin| {
                    ensure_template(admin, &url, &template);
                    execute(admin, &format!("CREATE DATABASE {clone} TEMPLATE {template}"))
                })
                .unwrap_or_else(|e| panic!("clone of {template}: {e}"));
                let mut conn =
                    smartcity_db::DbConn::Postgres(connect(&with_database(&url, &clone)));
                let users = smartcity_db::accounts::count_users(&mut conn);
                assert_eq!(users.expect("the clone is migrated"), 0);
            })
        })
        .collect();
    for process in processes {
        process.join().expect("each process cloned a migrated template");
    }
    assert!(exists(&mut admin, &template));
    assert!(!exists(&mut admin, &unfinished), "the unfinished copy was replaced");
}
