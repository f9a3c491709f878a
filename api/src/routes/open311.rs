//! Open311 GeoReport v2 at `/open311/v2/`: discovery, services (our categories) and their
//! definitions (the categories' questions), filing by client apps with an `api_key`, reading
//! requests, and tokens. Each resource answers in JSON or XML by its extension; errors are the
//! spec's list, not problem+json.

use super::{request_lang as lang, utc};
use crate::auth::tokens::hash_secret;
use crate::geography::{agency_for, area_at, area_code};
use crate::georeport::{self, respond};
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::{json, Value};
use smartcity_db::complaints::{self, FileOutcome, NewComplaint, Open311Origin};
use smartcity_db::open311::{self as store, RequestFilter, ServiceRequest};
use smartcity_db::places;
use smartcity_domain::complaint::{
    complaint_notice, due_at, Category, ComplaintStatus, NoticeKind,
};
use smartcity_domain::geo::LatLon;
use smartcity_domain::open311::{
    attribute_answers, parse_request_query, public_status, single_value, Format, RequestQuery,
    MAX_REQUESTS,
};
use smartcity_domain::validation::clean_text;
use smartcity_domain::{Invalid, Lang};
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
        let categories = state.db(places::list_categories).await?;
        Ok(Value::Array(categories.iter().map(|c| service(c, lang)).collect()))
    })
    .await
}

async fn category(state: &AppState, code: String, field: &str) -> Result<Category, ApiError> {
    state.db(move |conn| places::find_category(conn, &code)).await?.ok_or_else(|| {
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
    let status = ComplaintStatus::parse("status", &complaint.status).map_err(|_| {
        tracing::error!(id = %complaint.id, status = %complaint.status, "unknown stored status");
        ApiError::internal()
    })?;
    let media_url = match &request.first_photo_id {
        Some(photo) => Some(format!("{base}/v1/photos/{photo}/display")),
        None => request.media_url.clone(),
    };
    Ok(json!({
        "service_request_id": complaint.id,
        "status": public_status(status),
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
        let query = parse_request_query(&params, Utc::now())?;
        let found = state
            .db(move |conn| match &query {
                RequestQuery::Ids(ids) => store::service_requests(conn, &RequestFilter::Ids(ids)),
                RequestQuery::Window(window) => {
                    let statuses: Vec<&str> = window.statuses.iter().map(|s| s.as_str()).collect();
                    store::service_requests(
                        conn,
                        &RequestFilter::Window {
                            service_codes: &window.service_codes,
                            statuses: &statuses,
                            from: window.from.naive_utc(),
                            to: window.to.naive_utc(),
                            limit: MAX_REQUESTS as i64,
                        },
                    )
                }
            })
            .await?;
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
        let ids = vec![id];
        let found =
            state.db(move |conn| store::service_requests(conn, &RequestFilter::Ids(&ids))).await?;
        let request = found.first().ok_or_else(|| {
            ApiError::not_found()
                .with_field("service_request_id")
                .with_detail("Không có yêu cầu này", "No such service request")
        })?;
        Ok(json!([request_document(request, &base, lang)?]))
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
        let lookup = token.clone();
        let id = state.db(move |conn| store::request_of_token(conn, &lookup)).await?.ok_or_else(
            || {
                ApiError::not_found()
                    .with_field("token")
                    .with_detail("Không có mã này", "No such token")
            },
        )?;
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

/// Our coordinate checks name `lon`; GeoReport calls it `long`.
fn in_open311_words(invalid: Invalid) -> ApiError {
    let field = if invalid.field == "lon" { "long".to_string() } else { invalid.field.clone() };
    let mut error = ApiError::from(invalid);
    error.field = Some(field);
    error
}

/// Where a filing is: its `lat`/`long`, else the ward its `address_string` names (placed at a
/// point inside that ward). Returns the position and the area's code.
async fn place(
    state: &AppState,
    params: &[(String, String)],
    address: Option<&str>,
) -> Result<(LatLon, Option<String>), ApiError> {
    let region = state.areas.region();
    match (coordinate(params, "lat")?, coordinate(params, "long")?) {
        (Some(lat), Some(lon)) => {
            let position = LatLon::parse(lat, lon, region).map_err(in_open311_words)?;
            Ok((position, area_at(state, position).await?))
        }
        (Some(_), None) => {
            Err(ApiError::invalid_field("long", "Thiếu `long`", "`long` is missing"))
        }
        (None, Some(_)) => Err(ApiError::invalid_field("lat", "Thiếu `lat`", "`lat` is missing")),
        (None, None) => {
            let Some(address) = address else {
                return Err(ApiError::invalid_field(
                    "lat",
                    "Cần vị trí: gửi `lat` và `long`, hoặc `address_string` có tên phường/xã",
                    "A location is needed: send `lat` and `long`, or an `address_string` naming \
                     the ward or commune",
                ));
            };
            let index = state.areas.index(state).await?;
            let area = index.named_in(address).ok_or_else(|| {
                ApiError::invalid_field(
                    "address_string",
                    "Địa chỉ không nêu rõ một phường/xã được phục vụ; gửi `lat` và `long`",
                    "The address names no single ward or commune served here; send `lat` and \
                     `long`",
                )
            })?;
            Ok((area.interior_point, Some(area_code(&area.id))))
        }
    }
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
        let refused = || {
            ApiError::forbidden().with_field("api_key").with_detail(
                "`api_key` thiếu hoặc không hợp lệ",
                "`api_key` is missing or not valid",
            )
        };
        let hash = hash_secret(field(&params, "api_key")?.ok_or_else(refused)?);
        let client_id =
            state.db(move |conn| store::client_of_key(conn, &hash)).await?.ok_or_else(refused)?;

        let code = field(&params, "service_code")?.ok_or_else(|| {
            ApiError::invalid_field(
                "service_code",
                "Thiếu `service_code`",
                "`service_code` is missing",
            )
        })?;
        let category = category(&state, code.to_string(), "service_code").await?;
        let description =
            clean_text("description", field(&params, "description")?.unwrap_or(""), 1, 4000, true)?;
        let address = field(&params, "address_string")?
            .map(|a| clean_text("address_string", a, 1, 300, false))
            .transpose()?;
        let answers = category.check_answers(&attribute_answers(&params))?;
        let media_url = media_url(&params)?;
        let (position, area) = place(&state, &params, address.as_deref()).await?;
        let agency_id = agency_for(&state, &category.code, area.as_deref()).await?;

        let id = uuid::Uuid::new_v4().to_string();
        let token = uuid::Uuid::new_v4().to_string();
        let complaint = NewComplaint {
            id: id.clone(),
            category_code: category.code.clone(),
            description,
            lat: position.lat(),
            lon: position.lon(),
            address,
            area_code: area,
            agency_id,
            reporter_id: None,
            anonymous: false,
            answers: serde_json::to_string(&answers).expect("answers serialize"),
            due_at: due_at(Utc::now(), category.sla_hours).naive_utc(),
            idempotency_key: None,
            idempotency_fingerprint: None,
            open311: Some(Open311Origin { client_id, token: token.clone(), media_url }),
            created_at: smartcity_db::now(),
        };
        // Without an idempotency key a filing is always new.
        let staff_notice =
            complaint_notice(NoticeKind::Assigned, &id, &category, Some(&complaint.description));
        let outcome =
            state.db(move |conn| complaints::file(conn, &complaint, &[], &staff_notice)).await?;
        debug_assert_eq!(outcome, FileOutcome::Created);
        Ok(json!([{
            "service_request_id": id,
            "token": token,
            "service_notice": sla_notice(&category, lang),
            "account_id": null,
        }]))
    })
    .await
}
