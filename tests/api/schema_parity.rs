//! The SQLite and PostgreSQL migration trees must describe the same tables and columns.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use smartcity_db::DbConn;
use smartcity_testkit::test_db::{postgres_admin_url, TestDb, TEST_DATABASE_ENV};

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[test]
fn sqlite_and_postgres_migrations_produce_the_same_tables_and_columns() {
    let Some(_) = postgres_admin_url() else {
        eprintln!(
            "skipped: comparing the migration trees needs PostgreSQL; \
             set {TEST_DATABASE_ENV}=postgres://postgres@127.0.0.1:5432/postgres (CI does)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = DbConn::Sqlite(
        SqliteConnection::establish(dir.path().join("parity.db").to_str().unwrap()).unwrap(),
    );
    smartcity_db::pool::migrate(&mut sqlite).unwrap();
    let mut sqlite_columns: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.\"notnull\" = 0 AS nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
           AND m.name <> '__diesel_schema_migrations'",
    )
    .load(&mut sqlite)
    .unwrap();

    let pg_db = TestDb::create();
    let mut pg = DbConn::Postgres(PgConnection::establish(pg_db.url()).unwrap());
    let mut pg_columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                is_nullable = 'YES' AS nullable \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut pg)
    .unwrap();

    sqlite_columns.sort();
    pg_columns.sort();
    assert!(sqlite_columns.len() > 10, "found the tables: {sqlite_columns:?}");
    assert_eq!(sqlite_columns, pg_columns);
}
