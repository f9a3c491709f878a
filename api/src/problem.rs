//! Every error leaves the server as RFC 9457 Problem Details (`application/problem+json`) with a
//! stable machine `code` the app can translate, and `title`/`detail` in the language the request
//! asked for (Vietnamese unless `Accept-Language` prefers English).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use smartcity_db::DbError;
use smartcity_domain::{Invalid, Lang};

/// Stable error codes. Clients match on these; the texts may change, the codes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedJson,
    MalformedForm,
    InvalidField,
    InvalidQuery,
    InvalidPath,
    BodyTooLarge,
    UriTooLong,
    HeadersTooLarge,
    UnsupportedMediaType,
    RouteNotFound,
    MethodNotAllowed,
    NotFound,
    AuthenticationRequired,
    InvalidToken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidApiKey,
    RefreshTokenReused,
    Forbidden,
    PhoneTaken,
    AgencyCodeTaken,
    LastAdmin,
    DossierClosed,
    TransitionNotAllowed,
    ProcedureExists,
    TooManyAttempts,
    DatabaseUnavailable,
    StorageUnavailable,
    OutsideServedArea,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::MalformedForm => "malformed_form",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AuthenticationRequired => "authentication_required",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidRefreshToken => "invalid_refresh_token",
            ErrorCode::InvalidApiKey => "invalid_api_key",
            ErrorCode::RefreshTokenReused => "refresh_token_reused",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::PhoneTaken => "phone_taken",
            ErrorCode::AgencyCodeTaken => "agency_code_taken",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::DossierClosed => "dossier_closed",
            ErrorCode::TransitionNotAllowed => "transition_not_allowed",
            ErrorCode::ProcedureExists => "procedure_exists",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::OutsideServedArea => "outside_served_area",
            ErrorCode::Internal => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::MalformedJson
            | ErrorCode::MalformedForm
            | ErrorCode::InvalidQuery
            | ErrorCode::InvalidPath => StatusCode::BAD_REQUEST,
            ErrorCode::UriTooLong => StatusCode::URI_TOO_LONG,
            ErrorCode::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::InvalidField => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::RouteNotFound | ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::AuthenticationRequired
            | ErrorCode::InvalidToken
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidRefreshToken
            | ErrorCode::InvalidApiKey
            | ErrorCode::RefreshTokenReused => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::PhoneTaken
            | ErrorCode::AgencyCodeTaken
            | ErrorCode::LastAdmin
            | ErrorCode::DossierClosed
            | ErrorCode::TransitionNotAllowed
            | ErrorCode::ProcedureExists => StatusCode::CONFLICT,
            ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::DatabaseUnavailable | ErrorCode::StorageUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ErrorCode::OutsideServedArea => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        use ErrorCode::*;
        match (self, lang) {
            (MalformedJson, Lang::Vi) => "Nội dung gửi lên không phải JSON hợp lệ",
            (MalformedJson, Lang::En) => "The request body is not valid JSON",
            (MalformedForm, Lang::Vi) => "Biểu mẫu gửi lên không đọc được",
            (MalformedForm, Lang::En) => "The form cannot be read",
            (InvalidField, Lang::Vi) => "Dữ liệu không hợp lệ",
            (InvalidField, Lang::En) => "A field is invalid",
            (InvalidQuery, Lang::Vi) => "Tham số truy vấn không hợp lệ",
            (InvalidQuery, Lang::En) => "A query parameter is invalid",
            (InvalidPath, Lang::Vi) => "Đường dẫn không hợp lệ",
            (InvalidPath, Lang::En) => "The path is invalid",
            (UriTooLong, Lang::Vi) => "Địa chỉ yêu cầu quá dài",
            (UriTooLong, Lang::En) => "The request address is too long",
            (HeadersTooLarge, Lang::Vi) => "Phần đầu yêu cầu quá lớn",
            (HeadersTooLarge, Lang::En) => "The request headers are too large",
            (BodyTooLarge, Lang::Vi) => "Nội dung gửi lên quá lớn",
            (BodyTooLarge, Lang::En) => "The request body is too large",
            (UnsupportedMediaType, Lang::Vi) => "Kiểu nội dung không được hỗ trợ",
            (UnsupportedMediaType, Lang::En) => "Unsupported content type",
            (RouteNotFound, Lang::Vi) => "Không có địa chỉ này",
            (RouteNotFound, Lang::En) => "No such route",
            (MethodNotAllowed, Lang::Vi) => "Phương thức không được hỗ trợ ở địa chỉ này",
            (MethodNotAllowed, Lang::En) => "Method not allowed on this route",
            (NotFound, Lang::Vi) => "Không tìm thấy",
            (NotFound, Lang::En) => "Not found",
            (AuthenticationRequired, Lang::Vi) => "Cần đăng nhập",
            (AuthenticationRequired, Lang::En) => "Authentication required",
            (InvalidToken, Lang::Vi) => "Phiên đăng nhập không hợp lệ hoặc đã hết hạn",
            (InvalidToken, Lang::En) => "The access token is invalid or expired",
            (InvalidCredentials, Lang::Vi) => "Số điện thoại hoặc mật khẩu không đúng",
            (InvalidCredentials, Lang::En) => "Wrong phone number or password",
            (InvalidRefreshToken, Lang::Vi) => "Mã làm mới phiên không hợp lệ hoặc đã hết hạn",
            (InvalidRefreshToken, Lang::En) => "The refresh token is invalid or expired",
            (InvalidApiKey, Lang::Vi) => "Khoá API không hợp lệ hoặc đã bị thu hồi",
            (InvalidApiKey, Lang::En) => "The API key is invalid or revoked",
            (DossierClosed, Lang::Vi) => "Hồ sơ đã kết thúc; sự kiện phải ghi rõ mở lại hồ sơ",
            (DossierClosed, Lang::En) => "The dossier is closed; an event after it must reopen it",
            (TransitionNotAllowed, Lang::Vi) => "Không thể chuyển phản ánh sang bước này lúc này",
            (TransitionNotAllowed, Lang::En) => "This step is not possible for the complaint now",
            (ProcedureExists, Lang::Vi) => "Đã có thủ tục với mã này",
            (ProcedureExists, Lang::En) => "A procedure with this code already exists",
            (RefreshTokenReused, Lang::Vi) => {
                "Mã làm mới phiên đã được dùng; phiên đăng nhập đã bị thu hồi"
            }
            (RefreshTokenReused, Lang::En) => {
                "The refresh token was already used; the session has been revoked"
            }
            (Forbidden, Lang::Vi) => "Bạn không có quyền thực hiện thao tác này",
            (Forbidden, Lang::En) => "You are not allowed to do this",
            (PhoneTaken, Lang::Vi) => "Số điện thoại này đã được đăng ký",
            (PhoneTaken, Lang::En) => "This phone number is already registered",
            (AgencyCodeTaken, Lang::Vi) => "Mã cơ quan này đã được dùng",
            (AgencyCodeTaken, Lang::En) => "This agency code is already in use",
            (LastAdmin, Lang::Vi) => "Không thể xoá tài khoản quản trị cuối cùng",
            (LastAdmin, Lang::En) => "The last administrator account cannot be deleted",
            (TooManyAttempts, Lang::Vi) => "Thử quá nhiều lần; vui lòng đợi rồi thử lại",
            (TooManyAttempts, Lang::En) => "Too many attempts; wait and try again",
            (DatabaseUnavailable, Lang::Vi) => "Hệ thống tạm thời gián đoạn; vui lòng thử lại sau",
            (DatabaseUnavailable, Lang::En) => "Temporarily unavailable; try again shortly",
            (StorageUnavailable, Lang::Vi) => "Kho lưu trữ ảnh tạm thời không ghi được",
            (StorageUnavailable, Lang::En) => "Photo storage is temporarily unavailable",
            (OutsideServedArea, Lang::Vi) => "Vị trí nằm ngoài địa bàn được phục vụ",
            (OutsideServedArea, Lang::En) => "The location is outside the area served",
            (Internal, Lang::Vi) => "Lỗi hệ thống",
            (Internal, Lang::En) => "Internal server error",
        }
    }
}

/// A sentence in both languages.
#[derive(Debug, Clone)]
pub struct Bilingual {
    pub vi: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Bilingual { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// The one error type of the API. Handlers return it; the problem middleware renders it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    /// The field at fault, as a path into the body or the query (`phone`, `items[2].name`).
    pub field: Option<String>,
    pub detail: Option<Bilingual>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError { code, field: None, detail: None, retry_after_secs: None }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_detail(mut self, vi: impl Into<String>, en: impl Into<String>) -> Self {
        self.detail = Some(Bilingual::new(vi, en));
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 422 on a body or form field, with what is wrong in both languages.
    pub fn invalid_field(
        field: impl Into<String>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError::new(ErrorCode::InvalidField).with_field(field).with_detail(vi, en)
    }

    /// 400 on a query parameter, with what is wrong in both languages.
    pub fn invalid_query(
        field: impl Into<String>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError::new(ErrorCode::InvalidQuery).with_field(field).with_detail(vi, en)
    }

    pub fn not_found() -> Self {
        ApiError::new(ErrorCode::NotFound)
    }

    pub fn forbidden() -> Self {
        ApiError::new(ErrorCode::Forbidden)
    }

    pub fn internal() -> Self {
        ApiError::new(ErrorCode::Internal)
    }

    /// The body of the problem, in `lang`.
    pub fn to_problem(&self, lang: Lang, instance: &str, request_id: Option<&str>) -> Problem {
        let title = self.code.title(lang).to_string();
        let detail = match (&self.detail, &self.field) {
            (Some(detail), _) => detail.get(lang).to_string(),
            (None, Some(field)) => match lang {
                Lang::Vi => format!("Trường `{field}` không hợp lệ"),
                Lang::En => format!("Field `{field}` is invalid"),
            },
            (None, None) => title.clone(),
        };
        Problem {
            problem_type: format!("https://smartcity.example/problems/{}", self.code.as_str()),
            title,
            status: self.code.status().as_u16(),
            detail,
            instance: instance.to_string(),
            code: self.code.as_str(),
            field: self.field.clone(),
            request_id: request_id.map(str::to_string),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code.as_str())?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {}", detail.en)?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    /// A Vietnamese rendering without request context; the problem middleware re-renders it
    /// with the request's language, path and id.
    fn error_response(&self) -> HttpResponse {
        crate::middleware::problem_response(self, Lang::Vi, "", None)
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::new(ErrorCode::InvalidField)
            .with_detail(
                format!("`{}` {}", invalid.field, invalid.reason.message(Lang::Vi)),
                format!("`{}` {}", invalid.field, invalid.reason.message(Lang::En)),
            )
            .with_field(invalid.field)
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                ApiError::new(ErrorCode::DatabaseUnavailable).retry_after(5)
            }
            other => {
                tracing::error!(error = %other, "database error");
                ApiError::internal()
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        tracing::error!("blocking task failed or panicked");
        ApiError::internal()
    }
}
