//! The search indexes of this instance: the procedure catalogue, and the published answers to
//! citizens' questions (searched the same way). Each is rebuilt from the database whenever its
//! revision (bumped in the transaction of every change to what it holds) differs from the one
//! it was built from, so every instance sharing a database follows every change.

use crate::app::database::Database;
use crate::app::error::ApiError;
use crate::app::revision_cache::RevisionCache;
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_db::questions::{self, PublishedRow};
use smartcity_db::revisions;
use smartcity_domain::search::{Filters, SearchDoc, SearchIndex, SearchVocabulary};
use std::collections::HashMap;
use std::sync::Arc;

/// An index and the rows it was built from.
pub struct CatalogueSnapshot {
    pub index: SearchIndex,
    pub rows: HashMap<String, ProcedureRow>,
}

pub struct CatalogueSearch {
    vocabulary: SearchVocabulary,
    cache: RevisionCache<CatalogueSnapshot>,
}

impl CatalogueSearch {
    pub fn new(vocabulary: SearchVocabulary) -> CatalogueSearch {
        CatalogueSearch { vocabulary, cache: RevisionCache::default() }
    }

    pub fn vocabulary(&self) -> &SearchVocabulary {
        &self.vocabulary
    }

    /// The index for the catalogue as it is now in the database.
    pub async fn snapshot(&self, db: &Database) -> Result<Arc<CatalogueSnapshot>, ApiError> {
        let revision = db.run(procedures::catalogue_revision).await?;
        self.at(db, revision).await
    }

    /// The index at least as new as `revision`, which the caller has just read.
    pub async fn at(
        &self,
        db: &Database,
        revision: i64,
    ) -> Result<Arc<CatalogueSnapshot>, ApiError> {
        self.cache
            .get(revision, || async {
                let (revision, rows) = db.run(procedures::live_with_revision).await?;
                let vocabulary = self.vocabulary.clone();
                let snapshot = tokio::task::spawn_blocking(move || {
                    let docs = rows.iter().map(search_doc).collect();
                    let index = SearchIndex::build(docs, &vocabulary);
                    let rows = rows.into_iter().map(|r| (r.code.clone(), r)).collect();
                    CatalogueSnapshot { index, rows }
                })
                .await?;
                tracing::info!(
                    revision,
                    procedures = snapshot.rows.len(),
                    "procedure search index built"
                );
                Ok((revision, snapshot))
            })
            .await
    }
}

fn search_doc(row: &ProcedureRow) -> SearchDoc {
    SearchDoc {
        code: row.code.clone(),
        name: row.name.clone(),
        name_en: row.name_en.clone(),
        field: row.field.clone(),
        agency: row.agency.clone(),
        level: row.level.as_str().to_string(),
        service_level: u8::try_from(row.service_level).unwrap_or(0),
        documents: row.documents().unwrap_or_default(),
        result: row.result.clone(),
    }
}

/// The published answers, indexed, and the rows they were built from.
pub struct AnswersSnapshot {
    pub index: SearchIndex,
    pub rows: HashMap<String, PublishedRow>,
}

pub struct AnswerSearch {
    vocabulary: SearchVocabulary,
    cache: RevisionCache<AnswersSnapshot>,
}

impl AnswerSearch {
    pub fn new(vocabulary: SearchVocabulary) -> AnswerSearch {
        AnswerSearch { vocabulary, cache: RevisionCache::default() }
    }

    /// The index for the answers published as of now.
    pub async fn snapshot(&self, db: &Database) -> Result<Arc<AnswersSnapshot>, ApiError> {
        let revision = db.run(|conn| revisions::current(conn, revisions::QUESTIONS)).await?;
        self.at(db, revision).await
    }

    /// The index at least as new as `revision`, which the caller has just read.
    pub async fn at(&self, db: &Database, revision: i64) -> Result<Arc<AnswersSnapshot>, ApiError> {
        self.cache
            .get(revision, || async {
                let (revision, rows) = db.run(questions::published_with_revision).await?;
                let vocabulary = self.vocabulary.clone();
                let snapshot = tokio::task::spawn_blocking(move || {
                    let docs = rows.iter().map(answer_doc).collect();
                    let index = SearchIndex::build(docs, &vocabulary);
                    let rows = rows.into_iter().map(|r| (r.id.clone(), r)).collect();
                    AnswersSnapshot { index, rows }
                })
                .await?;
                tracing::info!(
                    revision,
                    answers = snapshot.rows.len(),
                    "answer search index built"
                );
                Ok((revision, snapshot))
            })
            .await
    }
}

impl AnswersSnapshot {
    /// How many published answers are about a procedure (its page says so).
    pub fn published_about(&self, procedure: &str) -> usize {
        let filters = Filters { field: Some(about_procedure(procedure)), ..Filters::default() };
        self.index.search("", &filters, 0, 0).1
    }
}

/// A published answer in the shape the index knows: the question is the name, its text a
/// document, the answer the result; `field` holds what it is about (a procedure's code or a
/// topic's), so the listing of one procedure's answers is a filter.
fn answer_doc(row: &PublishedRow) -> SearchDoc {
    SearchDoc {
        code: row.id.clone(),
        name: row.title.clone(),
        name_en: String::new(),
        field: subject(row),
        agency: row.agency_name.clone(),
        level: String::new(),
        service_level: 0,
        documents: vec![row.body.clone()],
        result: row.answer.clone(),
    }
}

/// The index's word for answers about a procedure.
pub fn about_procedure(code: &str) -> String {
    format!("procedure:{code}")
}

/// What an answer is about, as the index filters it.
fn subject(row: &PublishedRow) -> String {
    match (&row.procedure_code, &row.topic_code) {
        (Some(code), _) => about_procedure(code),
        (None, Some(code)) => format!("topic:{code}"),
        (None, None) => String::new(),
    }
}
