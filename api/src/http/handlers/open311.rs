//! Open311 GeoReport v2 at `/open311/v2/`: discovery, services (our categories) and their
//! definitions (the categories' questions), filing by client apps with an `api_key`, reading
//! requests, and tokens. Each resource answers in JSON or XML by its extension; errors are the
//! spec's list, not problem+json.

use super::utc;
use crate::app::complaints::filing::{self, FieldNames, Filer, Filing, Whereabouts};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::idempotency::{self, Idempotency};
use crate::app::open311 as app;
use crate::app::places;
use crate::app::state::AppState;
use crate::http::extract::{lang_of as lang, IdempotencyKeyHeader};
use crate::http::georeport::{self, respond};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use smartcity_db::open311::ServiceRequest;
use smartcity_domain::complaint::Category;
use smartcity_domain::open311::{attribute_answers, public_status, single_value, Format};
use smartcity_domain::Lang;
use std::future::Future;

/// When this endpoint's discovery document last changed.
const CHANGESET: &str = "2026-11-23T00:00:00Z";
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// Runs `work` for a resource asked for as `.json` or `.xml` and writes its document or its
/// error in that format. An unknown extension is a 404 in JSON.
async fn answer<F>(
    req: &HttpRequest,
    extension: &str,
    status: StatusCode,
    root: &str,
    work: F,
) -> HttpResponse
where
    F: Future<Output = Result<Value, ApiError>>,
{
    let Some(format) = Format::parse(extension) else {
        let error = ApiError::new(ErrorCode::RouteNotFound)
            .with_field("format")
            .with_detail("Định dạng là .json hoặc .xml", "The format is .json or .xml");
        return georeport::error(&error, Format::Json, lang(req));
    };
    match work.await {
        Ok(document) => respond(status, format, root, &document),
        Err(error) => georeport::error(&error, format, lang(req)),
    }
}

/// Where clients reach this server, for absolute links.
fn base_url(req: &HttpRequest, state: &AppState) -> String {
    match &state.config.public_url {
        Some(url) => url.clone(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

fn sla_notice(category: &Category, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("Thời hạn xử lý: {} giờ kể từ khi tiếp nhận", category.sla_hours),
        Lang::En => format!("To be resolved within {} hours of filing", category.sla_hours),
    }
}

fn query_pairs(raw: &str, field: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(raw).map_err(|_| {
        ApiError::invalid_query(field, "Không đọc được tham số", "The parameters do not parse")
    })
}

/// `GET /open311/v2/discovery.{format}`
pub async fn discovery(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
) -> HttpResponse {
    let url = format!("{}/open311/v2", base_url(&req, &state));
    let document = json!({
        "changeset": CHANGESET,
        "contact": "smartcity — https://github.com/smartcity (operator: see README)",
        "key_service": "POST /v1/admin/open311-clients (administrators issue api_key)",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    });
    answer(&req, &format, StatusCode::OK, "discovery", async { Ok(document) }).await
}

fn service(category: &Category, lang: Lang) -> Value {
    let keywords = category.keywords.get(lang);
    json!({
        "service_code": category.code,
        "service_name": category.name.get(lang),
        "description": sla_notice(category, lang),
        "metadata": !category.attributes.is_empty(),
        "type": "realtime",
        "keywords": if keywords.is_empty() { None } else { Some(keywords) },
        "group": category.group.get(lang),
    })
}

/// `GET /open311/v2/services.{format}`
pub async fn services(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
) -> HttpResponse {
    let lang = lang(&req);
    answer(&req, &format, StatusCode::OK, "services", async {
        let categories = places::categories(&state).await?;
        Ok(Value::Array(categories.iter().map(|c| service(c, lang)).collect()))
    })
    .await
}

async fn category(state: &AppState, code: String, field: &str) -> Result<Category, ApiError> {
    places::category(state, code).await?.ok_or_else(|| {
        ApiError::not_found()
            .with_field(field)
            .with_detail("Không có loại phản ánh này", "No such service")
    })
}

/// `GET /open311/v2/services/{service_code}.{format}`: the category's questions.
pub async fn service_definition(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (code, format) = path.into_inner();
    let lang = lang(&req);
    answer(&req, &format, StatusCode::OK, "service_definition", async {
        let category = category(&state, code, "service_code").await?;
        let attributes: Vec<Value> = category
            .attributes
            .iter()
            .enumerate()
            .map(|(i, attribute)| {
                let mut value = json!({
                    "variable": true,
                    "code": attribute.code,
                    "datatype": attribute.datatype,
                    "required": attribute.required,
                    "datatype_description": null,
                    "order": i + 1,
                    "description": attribute.description.get(lang),
                });
                if !attribute.values.is_empty() {
                    value["values"] = attribute
                        .values
                        .iter()
                        .map(|v| json!({ "key": v.key, "name": v.name.get(lang) }))
                        .collect();
                }
                value
            })
            .collect();
        Ok(json!({ "service_code": category.code, "attributes": attributes }))
    })
    .await
}

fn request_document(request: &ServiceRequest, base: &str, lang: Lang) -> Result<Value, ApiError> {
    let complaint = &request.complaint;
    let media_url = match &request.first_photo_id {
        Some(photo) => Some(format!("{base}/v1/photos/{photo}/display")),
        None => request.media_url.clone(),
    };
    Ok(json!({
        "service_request_id": complaint.id,
        "status": public_status(complaint.status),
        "status_notes": request.status_notes,
        "service_name": match lang {
            Lang::Vi => &request.category_name_vi,
            Lang::En => &request.category_name_en,
        },
        "service_code": complaint.category_code,
        "description": complaint.description,
        "agency_responsible": request.agency_name,
        "service_notice": null,
        "requested_datetime": utc(complaint.created_at),
        "updated_datetime": utc(complaint.updated_at),
        "expected_datetime": utc(complaint.due_at),
        "address": complaint.address,
        "address_id": null,
        "zipcode": null,
        "lat": complaint.lat,
        "long": complaint.lon,
        "media_url": media_url,
    }))
}

/// `GET /open311/v2/requests.{format}`: by ids, or filtered within a window of at most 90
/// days (the last 90 by default), newest first, at most 1,000.
pub async fn requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
) -> HttpResponse {
    let lang = lang(&req);
    let base = base_url(&req, &state);
    answer(&req, &format, StatusCode::OK, "service_requests", async {
        let params = query_pairs(req.query_string(), "query")?;
        let found = app::requests(&state, &params).await?;
        let documents: Result<Vec<Value>, ApiError> =
            found.iter().map(|r| request_document(r, &base, lang)).collect();
        Ok(Value::Array(documents?))
    })
    .await
}

/// `GET /open311/v2/requests/{service_request_id}.{format}`
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, format) = path.into_inner();
    let lang = lang(&req);
    let base = base_url(&req, &state);
    answer(&req, &format, StatusCode::OK, "service_requests", async {
        let request = app::request(&state, id).await?;
        Ok(json!([request_document(&request, &base, lang)?]))
    })
    .await
}

/// `GET /open311/v2/tokens/{token}.{format}`: the request a filing's token stands for.
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (token, format) = path.into_inner();
    answer(&req, &format, StatusCode::OK, "service_requests", async {
        let id = app::request_of_token(&state, token.clone()).await?;
        Ok(json!([{ "service_request_id": id, "token": token }]))
    })
    .await
}

fn field<'a>(params: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ApiError> {
    single_value(params, name).map_err(ApiError::from)
}

fn coordinate(params: &[(String, String)], name: &str) -> Result<Option<f64>, ApiError> {
    field(params, name)?
        .map(|raw| {
            raw.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                ApiError::invalid_field(
                    name,
                    format!("`{name}` phải là một số"),
                    format!("`{name}` must be a number"),
                )
            })
        })
        .transpose()
}

fn media_url(params: &[(String, String)]) -> Result<Option<String>, ApiError> {
    let Some(raw) = field(params, "media_url")? else { return Ok(None) };
    let absolute = raw.starts_with("https://") || raw.starts_with("http://");
    if !absolute || raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::invalid_field(
            "media_url",
            "`media_url` là một địa chỉ http(s) tuyệt đối, tối đa 2000 ký tự",
            "`media_url` is an absolute http(s) URL of at most 2000 characters",
        ));
    }
    Ok(Some(raw.to_string()))
}

fn is_form(req: &HttpRequest) -> bool {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded")
    })
}

/// `POST /open311/v2/requests.{format}` (form-encoded) by a client app with its `api_key`.
/// The personal fields GeoReport allows (`email`, `phone`, names, `device_id`, `account_id`)
/// are accepted and not kept: the city cannot verify them and keeps no unverified personal
/// data; the client app follows up through `GET requests`.
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    key: Result<IdempotencyKeyHeader, ApiError>,
    body: web::Bytes,
) -> HttpResponse {
    let lang = lang(&req);
    answer(&req, &format, StatusCode::CREATED, "service_requests", async {
        if !is_form(&req) {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                .with_field("Content-Type")
                .with_detail(
                    "Gửi dạng application/x-www-form-urlencoded",
                    "Send application/x-www-form-urlencoded",
                ));
        }
        let params: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| {
            ApiError::invalid_field("body", "Không đọc được biểu mẫu", "The form does not parse")
        })?;
        let client_id = app::client_of_key(&state, field(&params, "api_key")?).await?;
        let idempotency = key?.0.map(|key| {
            let parts = params.iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
            Idempotency { key, fingerprint: idempotency::fingerprint(parts) }
        });
        let code = field(&params, "service_code")?.ok_or_else(|| {
            ApiError::invalid_field(
                "service_code",
                "Thiếu `service_code`",
                "`service_code` is missing",
            )
        })?;
        let category = category(&state, code.to_string(), "service_code").await?;
        let notice = sla_notice(&category, lang);
        let filing = Filing {
            description: field(&params, "description")?.unwrap_or("").to_string(),
            address: field(&params, "address_string")?.map(str::to_string),
            anonymous: false,
            answers: attribute_answers(&params),
            photos: Vec::new(),
            whereabouts: Whereabouts::PinOrWard {
                lat: coordinate(&params, "lat")?,
                lon: coordinate(&params, "long")?,
            },
            filer: Filer::Open311 { client_id, media_url: media_url(&params)? },
            idempotency,
            names: &FieldNames::OPEN311,
            category,
        };
        let filed = filing::file(&state, filing).await?;
        let id = &filed.complaint.complaint().id;
        Ok(json!([{
            "service_request_id": id,
            "token": filed.token,
            "service_notice": notice,
            "account_id": null,
        }]))
    })
    .await
}
