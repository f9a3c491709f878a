//! The city's public page: how each agency answers (the accountability figures) and where
//! residents reported lately. Public output: no personal data, as everywhere.

use crate::app::complaints::reading::{self, MapArea, MapFilter};
use crate::app::error::ApiError;
use crate::app::places::{self, Directory};
use crate::app::state::AppState;
use crate::app::stats::{self, AgencyRecord, MonthRange};
use smartcity_db::complaints::ComplaintRow;
use smartcity_db::places::AreaName;
use smartcity_domain::geo::BoundingBox;

/// How far back the map looks, and how many of the newest it shows.
const RECENT_DAYS: i64 = 30;
const RECENT_ON_MAP: i64 = 200;

pub struct CityPage {
    /// The last twelve months, this one included.
    pub months: MonthRange,
    pub records: Vec<AgencyRecord>,
    /// The newest public complaints within the city's areas, as the public map shows them.
    pub recent: Vec<ComplaintRow>,
    pub centre: (f64, f64),
    /// The names of the categories, areas and agencies the page shows.
    pub directory: Directory,
}

pub async fn city(state: &AppState) -> Result<CityPage, ApiError> {
    let months = MonthRange::new(None, None)?;
    let records = stats::records(state, &months).await?;
    let directory = places::directory(state).await?;
    let bbox = covering(&directory.areas).unwrap_or(*state.areas.region());
    let recent = reading::map(
        state,
        MapFilter {
            area: MapArea::Box(bbox),
            category: None,
            status: None,
            created_since: Some(smartcity_db::now() - chrono::Duration::days(RECENT_DAYS)),
            before: None,
            limit: RECENT_ON_MAP,
        },
    )
    .await?
    .rows;
    let centre = ((bbox.min_lat + bbox.max_lat) / 2.0, (bbox.min_lon + bbox.max_lon) / 2.0);
    Ok(CityPage { months, records, recent, centre, directory })
}

/// The box around every area, if there is any.
fn covering(areas: &[AreaName]) -> Option<BoundingBox> {
    areas
        .iter()
        .map(|a| (a.min_lat, a.max_lat, a.min_lon, a.max_lon))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1), a.2.min(b.2), a.3.max(b.3)))
        .map(|(min_lat, max_lat, min_lon, max_lon)| BoundingBox {
            min_lat,
            max_lat,
            min_lon,
            max_lon,
        })
}
