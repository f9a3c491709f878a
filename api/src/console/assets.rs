//! Everything the pages load, compiled into the binary: government intranets often have no
//! internet, and nothing else is deployed beside it.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../../assets/", $path)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("console.js", "text/javascript; charset=utf-8"),
    asset!("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/leaflet/leaflet.js", "text/javascript; charset=utf-8"),
    asset!("vendor/leaflet/leaflet.css", "text/css; charset=utf-8"),
    asset!("vendor/leaflet/images/layers.png", "image/png"),
    asset!("vendor/leaflet/images/layers-2x.png", "image/png"),
    asset!("vendor/leaflet/images/marker-icon.png", "image/png"),
    asset!("vendor/leaflet/images/marker-icon-2x.png", "image/png"),
    asset!("vendor/leaflet/images/marker-shadow.png", "image/png"),
    asset!("fonts/be-vietnam-pro-latin-400-normal.woff2", "font/woff2"),
    asset!("fonts/be-vietnam-pro-latin-600-normal.woff2", "font/woff2"),
    asset!("fonts/be-vietnam-pro-vietnamese-400-normal.woff2", "font/woff2"),
    asset!("fonts/be-vietnam-pro-vietnamese-600-normal.woff2", "font/woff2"),
];

/// The URL of an asset; the version in it changes with every release, so browsers may keep
/// what they fetched for as long as they like.
pub fn url(path: &str) -> String {
    format!("/console/assets/{}/{path}", env!("CARGO_PKG_VERSION"))
}

/// `GET /console/assets/{version}/{path}`.
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (_version, path) = path.into_inner();
    match ASSETS.iter().find(|asset| asset.path == path) {
        Some(asset) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.bytes),
        None => {
            HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("not found")
        }
    }
}
