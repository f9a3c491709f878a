//! The procedure search index of this instance. It is rebuilt from the database whenever the
//! catalogue's revision (bumped in the transaction of every catalogue change) differs from the
//! one it was built from, so every instance sharing a database follows every change.

use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::web;
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_domain::search::{SearchDoc, SearchIndex, SearchVocabulary};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The vocabulary shipped in `data/search.json`; `SMARTCITY_SEARCH_VOCABULARY` names a file
/// that replaces it.
pub const DEFAULT_VOCABULARY: &str = include_str!("../../data/search.json");

/// An index and the rows it was built from, at one catalogue revision.
pub struct CatalogueSnapshot {
    pub revision: i64,
    pub index: SearchIndex,
    pub rows: HashMap<String, ProcedureRow>,
}

pub struct CatalogueSearch {
    vocabulary: SearchVocabulary,
    current: RwLock<Option<Arc<CatalogueSnapshot>>>,
    /// One rebuild at a time; requests arriving meanwhile wait for it instead of repeating it.
    rebuilding: tokio::sync::Mutex<()>,
}

impl CatalogueSearch {
    pub fn new(vocabulary: SearchVocabulary) -> CatalogueSearch {
        CatalogueSearch {
            vocabulary,
            current: RwLock::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    fn cached(&self, revision: i64) -> Option<Arc<CatalogueSnapshot>> {
        let current = self.current.read().expect("lock not poisoned");
        current.as_ref().filter(|s| s.revision == revision).cloned()
    }

    /// The index for the catalogue as it is now in the database.
    pub async fn snapshot(&self, state: &AppState) -> Result<Arc<CatalogueSnapshot>, ApiError> {
        let revision = state.db(procedures::catalogue_revision).await?;
        if let Some(snapshot) = self.cached(revision) {
            return Ok(snapshot);
        }
        let _turn = self.rebuilding.lock().await;
        if let Some(snapshot) = self.cached(revision) {
            return Ok(snapshot);
        }
        let (revision, rows) = state.db(procedures::live_with_revision).await?;
        let vocabulary = self.vocabulary.clone();
        let snapshot = web::block(move || {
            let docs = rows.iter().map(search_doc).collect();
            let index = SearchIndex::build(docs, &vocabulary);
            let rows = rows.into_iter().map(|r| (r.code.clone(), r)).collect();
            CatalogueSnapshot { revision, index, rows }
        })
        .await?;
        let snapshot = Arc::new(snapshot);
        *self.current.write().expect("lock not poisoned") = Some(snapshot.clone());
        tracing::info!(revision, procedures = snapshot.rows.len(), "procedure search index built");
        Ok(snapshot)
    }
}

fn search_doc(row: &ProcedureRow) -> SearchDoc {
    SearchDoc {
        code: row.code.clone(),
        name: row.name.clone(),
        field: row.field.clone(),
        agency: row.agency.clone(),
        level: row.level.clone(),
        service_level: u8::try_from(row.service_level).unwrap_or(0),
        documents: row.documents().unwrap_or_default(),
        result: row.result.clone(),
    }
}
