//! The procedure search index of this instance. It is rebuilt from the database whenever the
//! catalogue's revision (bumped in the transaction of every catalogue change) differs from the
//! one it was built from, so every instance sharing a database follows every change.

use crate::app::database::Database;
use crate::app::error::ApiError;
use crate::app::revision_cache::RevisionCache;
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_domain::search::{SearchDoc, SearchIndex, SearchVocabulary};
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

    /// The index for the catalogue as it is now in the database.
    pub async fn snapshot(&self, db: &Database) -> Result<Arc<CatalogueSnapshot>, ApiError> {
        let revision = db.run(procedures::catalogue_revision).await?;
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
