//! The domain's enums in their text columns. A column declared [`WordText`] in `schema.rs`
//! holds only the words of one [`Word`] (statuses, kinds, roles …): a value is written as its
//! one word and read back through `from_word`, so code never writes or compares the text by
//! hand, and a word this version does not know is an error, never a silent default.

use crate::pool::MultiBackend;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::internal::derives::as_expression::Bound;
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{HasSqlType, Nullable, Text};
use diesel::sqlite::Sqlite;
use smartcity_domain::Word;
use std::fmt::Debug;

/// Text that is one word of a domain enum (`TEXT` on both backends).
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 25, array_oid = 1009))]
#[diesel(sqlite_type(name = "Text"))]
pub struct WordText;

impl HasSqlType<WordText> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<WordText>(lookup)
    }
}

/// The refusal of a stored word this version does not know.
fn unknown<T>(word: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("{word:?} is not a word of {}", std::any::type_name::<T>()).into()
}

fn read<T: Word>(text: &str) -> deserialize::Result<T> {
    T::from_word(text).ok_or_else(|| unknown::<T>(text))
}

/// A domain enum's value on its way into a [`WordText`] column, written as its word:
/// `complaints::status.eq(Stored(ComplaintStatus::New))`. (diesel's own traits cannot be
/// implemented here for the domain's types themselves; this local wrapper carries them.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored<W>(pub W);

impl<W: Word + Debug + Send + Sync> AsExpression<WordText> for Stored<W> {
    type Expression = Bound<WordText, Self>;
    fn as_expression(self) -> Self::Expression {
        Bound::new(self)
    }
}

impl<W: Word + Debug + Send + Sync> AsExpression<WordText> for &Stored<W> {
    type Expression = Bound<WordText, Self>;
    fn as_expression(self) -> Self::Expression {
        Bound::new(self)
    }
}

impl<W: Word> From<W> for Stored<W> {
    fn from(word: W) -> Self {
        Stored(word)
    }
}

impl<W: Word + Debug + Send + Sync> AsExpression<Nullable<WordText>> for Stored<W> {
    type Expression = Bound<Nullable<WordText>, Self>;
    fn as_expression(self) -> Self::Expression {
        Bound::new(self)
    }
}

impl<W: Word + Debug + Send + Sync> ToSql<WordText, Pg> for Stored<W> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.0.as_str(), out)
    }
}

impl<W: Word + Debug + Send + Sync> ToSql<WordText, Sqlite> for Stored<W> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        <str as ToSql<Text, Sqlite>>::to_sql(self.0.as_str(), out)
    }
}

impl<W: Word + Debug + Send + Sync> ToSql<WordText, MultiBackend> for Stored<W> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((WordText, self));
        Ok(serialize::IsNull::No)
    }
}

impl<W: Word + Debug + Send + Sync> ToSql<Nullable<WordText>, MultiBackend> for Stored<W> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        <Self as ToSql<WordText, MultiBackend>>::to_sql(self, out)
    }
}

/// Reads each listed `Word` from [`WordText`] columns (plain or nullable) into rows.
macro_rules! read_as_words {
    ($($word:ty),+ $(,)?) => {$(
        impl FromSql<WordText, Pg> for $word {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                read(&<String as FromSql<Text, Pg>>::from_sql(bytes)?)
            }
        }

        impl FromSql<WordText, Sqlite> for $word {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                read(&<String as FromSql<Text, Sqlite>>::from_sql(bytes)?)
            }
        }

        impl FromSql<WordText, MultiBackend> for $word {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, WordText>()
            }
        }

        impl Queryable<WordText, MultiBackend> for $word {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )+};
}

use smartcity_domain::account::Role;
use smartcity_domain::agency::GovLevel;
use smartcity_domain::air::{Parameter, StationKind};
use smartcity_domain::camera::CameraKind;
use smartcity_domain::complaint::{Actor, ComplaintStatus, EventKind};
use smartcity_domain::dossier::{DossierChannel, DossierOrigin};
use smartcity_domain::land::{LandUse, LayerKind};
use smartcity_domain::photo::PhotoKind;
use smartcity_domain::procedure::FileType;
use smartcity_domain::push::{NotificationKind, Platform, PushStatus};
use smartcity_domain::question::QuestionStatus;
use smartcity_domain::sms::code::CodePurpose;
use smartcity_domain::sms::{SmsEncoding, SmsPurpose, SmsStatus};
use smartcity_domain::warning::{AreaLabel, Severity, WarningKind};
use smartcity_domain::webhook::{WebhookEvent, WebhookStatus};
use smartcity_domain::Lang;

read_as_words!(
    Actor,
    AreaLabel,
    CameraKind,
    CodePurpose,
    ComplaintStatus,
    DossierChannel,
    DossierOrigin,
    EventKind,
    FileType,
    GovLevel,
    LandUse,
    Lang,
    LayerKind,
    NotificationKind,
    Parameter,
    PhotoKind,
    Platform,
    PushStatus,
    QuestionStatus,
    Role,
    Severity,
    SmsEncoding,
    SmsPurpose,
    SmsStatus,
    StationKind,
    WarningKind,
    WebhookEvent,
    WebhookStatus,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DbConn;
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

    #[derive(QueryableByName)]
    struct AsWord {
        #[diesel(sql_type = WordText)]
        w: ComplaintStatus,
    }

    #[derive(QueryableByName)]
    struct AsText {
        #[diesel(sql_type = Text)]
        w: String,
    }

    fn conn() -> DbConn {
        let mut conn = DbConn::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        conn.batch_execute("CREATE TABLE t (w TEXT NOT NULL)").unwrap();
        conn
    }

    #[test]
    fn a_value_is_stored_as_its_word_and_read_back_as_itself() {
        let mut conn = conn();
        diesel::sql_query("INSERT INTO t (w) VALUES (?)")
            .bind::<WordText, _>(Stored(ComplaintStatus::InProgress))
            .execute(&mut conn)
            .unwrap();
        let text: Vec<AsText> = diesel::sql_query("SELECT w FROM t").load(&mut conn).unwrap();
        assert_eq!(text[0].w, "in_progress");
        let word: Vec<AsWord> = diesel::sql_query("SELECT w FROM t").load(&mut conn).unwrap();
        assert_eq!(word[0].w, ComplaintStatus::InProgress);
    }

    #[test]
    fn a_word_this_version_does_not_know_is_an_error_not_a_default() {
        let mut conn = conn();
        conn.batch_execute("INSERT INTO t (w) VALUES ('in progress')").unwrap();
        let read = diesel::sql_query("SELECT w FROM t").load::<AsWord>(&mut conn);
        let error = read.err().expect("an unknown word is refused").to_string();
        assert!(error.contains("\"in progress\" is not a word of"), "{error}");
    }
}
