//! What the filing and map screens start from: the categories with their questions, and the
//! areas (wards and communes).

use crate::app::error::ApiError;
use crate::app::state::AppState;
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::places::{self, AreaRow};
use smartcity_domain::complaint::Category;

pub async fn categories(state: &AppState) -> Result<Vec<Category>, ApiError> {
    state.db(places::list_categories).await
}

/// The category `code`, if there is one.
pub async fn category(state: &AppState, code: String) -> Result<Option<Category>, ApiError> {
    state.db(move |conn| places::find_category(conn, &code)).await
}

pub async fn areas(state: &AppState) -> Result<Vec<AreaRow>, ApiError> {
    Ok(state.db(places::areas_with_revision).await?.1)
}

/// The names a staff screen shows beside codes and offers in its filters: categories, areas
/// and agencies, read together.
pub struct Directory {
    pub categories: Vec<Category>,
    pub areas: Vec<AreaRow>,
    pub agencies: Vec<AgencyRow>,
}

impl Directory {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn area(&self, code: &str) -> Option<&AreaRow> {
        self.areas.iter().find(|a| a.code == code)
    }

    pub fn agency(&self, id: &str) -> Option<&AgencyRow> {
        self.agencies.iter().find(|a| a.id == id)
    }
}

pub async fn directory(state: &AppState) -> Result<Directory, ApiError> {
    state
        .db(|conn| {
            Ok(Directory {
                categories: places::list_categories(conn)?,
                areas: places::areas_with_revision(conn)?.1,
                agencies: agencies::list_all(conn)?,
            })
        })
        .await
}
