//! What the filing and map screens start from: the categories with their questions, and the
//! areas (wards and communes).

use crate::app::auth::Admin;
use crate::app::error::ApiError;
use crate::app::geography;
use crate::app::state::AppState;
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::places::{self, AreaName, AreaRow, StoredCategory};
use smartcity_domain::complaint::Category;

pub async fn categories(state: &AppState) -> Result<Vec<Category>, ApiError> {
    state.db(places::list_categories).await
}

/// The active category `code`, if there is one.
pub async fn category(state: &AppState, code: String) -> Result<Option<Category>, ApiError> {
    state.db(move |conn| places::find_category(conn, &code)).await
}

/// The category a resident files a new complaint under: it must exist and not be retired, and
/// the refusal (422 on `category`) says which of the two it is.
pub async fn fileable_category(state: &AppState, code: String) -> Result<Category, ApiError> {
    match state.db(move |conn| places::find_any_category(conn, &code)).await? {
        Some(StoredCategory { category, active: true }) => Ok(category),
        Some(StoredCategory { active: false, .. }) => Err(ApiError::invalid_field(
            "category",
            "Loại phản ánh này đã ngừng sử dụng; hãy chọn loại khác",
            "This category is retired; choose another",
        )),
        None => Err(ApiError::invalid_field(
            "category",
            "Không có loại phản ánh này",
            "No such category",
        )),
    }
}

pub async fn areas(state: &AppState) -> Result<Vec<AreaRow>, ApiError> {
    Ok(state.db(places::areas_with_revision).await?.1)
}

/// An administrator replaces the areas with those of a GeoJSON file (see
/// [`geography::import_areas`]); returns them as stored now.
pub async fn replace_areas(
    state: &AppState,
    _: &Admin,
    text: String,
    name_property: String,
) -> Result<Vec<AreaRow>, ApiError> {
    let region = *state.areas.region();
    geography::import_areas(&state.database, region, text, name_property).await?;
    areas(state).await
}

/// The names a staff screen shows beside codes and offers in its filters: categories, areas
/// and agencies, read together.
pub struct Directory {
    /// The active categories: those a screen offers.
    pub categories: Vec<Category>,
    /// The retired ones, still named beside the complaints filed under them.
    pub retired_categories: Vec<Category>,
    pub areas: Vec<AreaName>,
    pub agencies: Vec<AgencyRow>,
}

impl Directory {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().chain(&self.retired_categories).find(|c| c.code == code)
    }

    pub fn area(&self, code: &str) -> Option<&AreaName> {
        self.areas.iter().find(|a| a.code == code)
    }

    pub fn agency(&self, id: &str) -> Option<&AgencyRow> {
        self.agencies.iter().find(|a| a.id == id)
    }
}

pub async fn directory(state: &AppState) -> Result<Directory, ApiError> {
    state
        .db(|conn| {
            let (active, retired): (Vec<StoredCategory>, Vec<StoredCategory>) =
                places::all_categories(conn)?.into_iter().partition(|c| c.active);
            Ok(Directory {
                categories: active.into_iter().map(|c| c.category).collect(),
                retired_categories: retired.into_iter().map(|c| c.category).collect(),
                areas: places::area_names(conn)?,
                agencies: agencies::list_all(conn)?,
            })
        })
        .await
}
