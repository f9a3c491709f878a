use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    /// No connection could be had in time, or the database could not take the work in time
    /// (SQLite still locked after the busy timeout, a PostgreSQL deadlock or serialization
    /// failure): the database is down or saturated, and the request may be tried again.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A unique constraint refused the row; carries the constraint or column named by the backend.
    #[error("duplicate value: {0}")]
    Duplicate(String),
    #[error("database error: {0}")]
    Query(diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is not what this version expects: {0}")]
    Corrupt(String),
}

impl From<diesel::result::Error> for DbError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if lost_connection(&err) || contended(&err) {
            return DbError::Unavailable(err.to_string());
        }
        match err {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let what = info
                    .constraint_name()
                    .or(info.column_name())
                    .unwrap_or(info.message())
                    .to_string();
                DbError::Duplicate(what)
            }
            other => DbError::Query(other),
        }
    }
}

/// The connection is gone (the server stopped or crashed, the network cut), also when it went
/// while a transaction committed: an outage to retry later on a fresh connection, not a bug.
fn lost_connection(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        Error::RollbackErrorOnCommit { commit_error, .. } => lost_connection(commit_error),
        _ => false,
    }
}

/// The database refused the work for others' sake, not for anything wrong with it. SQLite says
/// so only in words (diesel gives its busy and locked codes no kind of their own).
fn contended(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            ["database is locked", "database table is locked", "deadlock detected"]
                .iter()
                .any(|words| message.contains(words))
        }
        Error::RollbackErrorOnCommit { commit_error, .. } => contended(commit_error),
        _ => false,
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn database_error(kind: DatabaseErrorKind) -> Error {
        Error::DatabaseError(kind, Box::new("server closed the connection".to_string()))
    }

    #[test]
    fn a_lost_connection_is_an_outage_even_while_committing() {
        let lost = DbError::from(database_error(DatabaseErrorKind::ClosedConnection));
        assert!(matches!(lost, DbError::Unavailable(_)), "{lost:?}");
        let unsent = DbError::from(database_error(DatabaseErrorKind::UnableToSendCommand));
        assert!(matches!(unsent, DbError::Unavailable(_)), "{unsent:?}");
        let at_commit = DbError::from(Error::RollbackErrorOnCommit {
            rollback_error: Box::new(database_error(DatabaseErrorKind::UnableToSendCommand)),
            commit_error: Box::new(database_error(DatabaseErrorKind::ClosedConnection)),
        });
        assert!(matches!(at_commit, DbError::Unavailable(_)), "{at_commit:?}");
        let bug = DbError::from(database_error(DatabaseErrorKind::CheckViolation));
        assert!(matches!(bug, DbError::Query(_)), "{bug:?}");
    }

    #[test]
    fn a_database_too_busy_to_take_the_work_is_an_outage() {
        let said = |kind, words: &str| Error::DatabaseError(kind, Box::new(words.to_string()));
        for busy in [
            said(DatabaseErrorKind::Unknown, "database is locked"),
            said(DatabaseErrorKind::Unknown, "deadlock detected"),
            said(DatabaseErrorKind::SerializationFailure, "could not serialize access"),
        ] {
            let error = DbError::from(busy);
            assert!(matches!(error, DbError::Unavailable(_)), "{error:?}");
        }
        let bug = DbError::from(said(DatabaseErrorKind::Unknown, "no such table: complaints"));
        assert!(matches!(bug, DbError::Query(_)), "{bug:?}");
    }
}
