//! What Open311 GeoReport v2 clients read and who they are. Their filings go through the same
//! workflow as the app's (`complaints::filing`).

use crate::app::auth::tokens::hash_secret;
use crate::app::complaints::reading::{public_copy, public_words};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use chrono::Utc;
use smartcity_db::open311::{self as store, RequestFilter, ServiceRequest};
use smartcity_domain::open311::{parse_request_query, RequestQuery, MAX_REQUESTS};

/// The client app an `api_key` belongs to; refused (403, naming `api_key`) when it is missing,
/// unknown or revoked.
pub async fn client_of_key(state: &AppState, api_key: Option<&str>) -> Result<String, ApiError> {
    let refused = || {
        ApiError::forbidden()
            .with_field("api_key")
            .with_detail("`api_key` thiếu hoặc không hợp lệ", "`api_key` is missing or not valid")
    };
    let hash = hash_secret(api_key.ok_or_else(refused)?);
    state.db(move |conn| store::client_of_key(conn, &hash)).await?.ok_or_else(refused)
}

/// Requests by ids, or filtered within a window of at most 90 days (the last 90 by default),
/// newest first, at most 1,000.
pub async fn requests(
    state: &AppState,
    params: &[(String, String)],
) -> Result<Vec<ServiceRequest>, ApiError> {
    let query = parse_request_query(params, Utc::now())?;
    let found = state
        .db(move |conn| match &query {
            RequestQuery::Ids(ids) => store::service_requests(conn, &RequestFilter::Ids(ids)),
            RequestQuery::Window(window) => store::service_requests(
                conn,
                &RequestFilter::Window {
                    service_codes: &window.service_codes,
                    statuses: &window.statuses,
                    from: window.from.naive_utc(),
                    to: window.to.naive_utc(),
                    limit: MAX_REQUESTS as i64,
                },
            ),
        })
        .await?;
    Ok(found.into_iter().map(public_request).collect())
}

/// Open311 is public: the request as anyone may read it.
fn public_request(request: ServiceRequest) -> ServiceRequest {
    ServiceRequest {
        complaint: public_copy(request.complaint),
        status_notes: public_words(request.status_notes),
        ..request
    }
}

/// One request by its id.
pub async fn request(state: &AppState, id: String) -> Result<ServiceRequest, ApiError> {
    let ids = vec![id];
    let found =
        state.db(move |conn| store::service_requests(conn, &RequestFilter::Ids(&ids))).await?;
    found.into_iter().next().map(public_request).ok_or_else(|| {
        ApiError::not_found()
            .with_field("service_request_id")
            .with_detail("Không có yêu cầu này", "No such service request")
    })
}

/// The request a filing's token stands for.
pub async fn request_of_token(state: &AppState, token: String) -> Result<String, ApiError> {
    state.db(move |conn| store::request_of_token(conn, &token)).await?.ok_or_else(|| {
        ApiError::not_found().with_field("token").with_detail("Không có mã này", "No such token")
    })
}
