//! How complaints are shown: the JSON of one as its reader may see it (`app` has already cut
//! it to its audience), and of the rows of the lists.

use super::utc;
use crate::app::complaints::reading::{overdue, Visible};
use serde::Serialize;
use smartcity_db::complaints::{ComplaintRow, PhotoRow};
use smartcity_domain::complaint::ComplaintStatus;

#[derive(Debug, Serialize)]
pub struct StatusView {
    code: &'static str,
    label: &'static str,
    label_en: &'static str,
}

pub fn status_view(status: ComplaintStatus) -> StatusView {
    StatusView { code: status.as_str(), label: status.label_vi(), label_en: status.label_en() }
}

#[derive(Debug, Serialize)]
pub struct PhotoView {
    display_url: String,
    thumbnail_url: String,
    width: i32,
    height: i32,
    kind: &'static str,
}

fn photo_view(photo: &PhotoRow) -> PhotoView {
    PhotoView {
        display_url: format!("/v1/photos/{}/display", photo.id),
        thumbnail_url: format!("/v1/photos/{}/thumbnail", photo.id),
        width: photo.width,
        height: photo.height,
        kind: photo.kind.as_str(),
    }
}

pub fn thumbnail_url(photo_id: &str) -> String {
    format!("/v1/photos/{photo_id}/thumbnail")
}

#[derive(Debug, Serialize)]
struct TimelineEntry {
    #[serde(rename = "type")]
    event_type: &'static str,
    status: Option<StatusView>,
    text: Option<String>,
    /// A `resolved` event's photos of the fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    photos: Vec<PhotoView>,
    at: String,
}

/// A complaint as its reader may see it.
#[derive(Debug, Serialize)]
pub struct ComplaintView {
    id: String,
    category: String,
    description: String,
    status: StatusView,
    lat: f64,
    lon: f64,
    address: Option<String>,
    area: Option<String>,
    agency_id: String,
    /// The reporter's display name; absent for anonymous reports.
    reporter_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anonymous: Option<bool>,
    answers: serde_json::Value,
    photos: Vec<PhotoView>,
    timeline: Vec<TimelineEntry>,
    follower_count: i32,
    me_too_count: i32,
    due_at: String,
    overdue: bool,
    created_at: String,
    resolved_at: Option<String>,
}

pub fn view(complaint: &Visible) -> ComplaintView {
    let c = complaint.complaint();
    ComplaintView {
        id: c.id.clone(),
        category: c.category_code.clone(),
        description: c.description.clone(),
        status: status_view(c.status),
        lat: c.lat,
        lon: c.lon,
        address: c.address.clone(),
        area: c.area_code.clone(),
        agency_id: c.agency_id.clone(),
        reporter_name: complaint.reporter_name().map(str::to_string),
        anonymous: complaint.anonymous(),
        answers: serde_json::from_str(&c.answers).unwrap_or(serde_json::Value::Null),
        photos: complaint.photos().iter().map(photo_view).collect(),
        timeline: complaint
            .events()
            .iter()
            .map(|e| TimelineEntry {
                event_type: e.event_type.as_str(),
                status: e.status_after.map(status_view),
                text: e.body.clone(),
                photos: complaint.after_photos(e).map(photo_view).collect(),
                at: utc(e.created_at),
            })
            .collect(),
        follower_count: c.follower_count,
        me_too_count: c.me_too_count,
        due_at: utc(c.due_at),
        overdue: overdue(c),
        created_at: utc(c.created_at),
        resolved_at: c.resolved_at.map(utc),
    }
}

/// A row of the public map.
#[derive(Debug, Serialize)]
pub struct MapItem {
    id: String,
    category: String,
    status: StatusView,
    lat: f64,
    lon: f64,
    created_at: String,
    follower_count: i32,
    me_too_count: i32,
    overdue: bool,
}

pub fn map_item(r: ComplaintRow) -> MapItem {
    MapItem {
        overdue: overdue(&r),
        status: status_view(r.status),
        created_at: utc(r.created_at),
        id: r.id,
        category: r.category_code,
        lat: r.lat,
        lon: r.lon,
        follower_count: r.follower_count,
        me_too_count: r.me_too_count,
    }
}

/// A row of an agency's list.
#[derive(Debug, Serialize)]
pub struct AgencyItem {
    id: String,
    category: String,
    status: StatusView,
    description: String,
    lat: f64,
    lon: f64,
    address: Option<String>,
    due_at: String,
    overdue: bool,
    created_at: String,
}

pub fn agency_item(r: ComplaintRow) -> AgencyItem {
    AgencyItem {
        overdue: overdue(&r),
        status: status_view(r.status),
        due_at: utc(r.due_at),
        created_at: utc(r.created_at),
        id: r.id,
        category: r.category_code,
        description: r.description,
        lat: r.lat,
        lon: r.lon,
        address: r.address,
    }
}
