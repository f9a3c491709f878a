//! What the filing and map screens start from: the categories with their questions, and the
//! areas (wards and communes).

use crate::app::error::ApiError;
use crate::app::state::AppState;
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
