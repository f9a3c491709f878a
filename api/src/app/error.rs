//! The one error type of the application. Every use case returns it; the HTTP layer renders it
//! as RFC 9457 Problem Details (`http::problem`), the console as a page. It carries a stable
//! machine `code` clients match on, the field at fault, what is wrong in both languages, and,
//! for the log only, the cause and where in our code the error was made.
//!
//! Each code's text, HTTP status and titles are one row of [`error_codes!`]; domain refusals,
//! storage and database errors become an `ApiError` here, by `From`, at the edge of the
//! application and nowhere below it.

use crate::adapters::storage::StoreError;
use smartcity_db::DbError;
use smartcity_domain::complaint::{Bilingual, Refusal};
use smartcity_domain::photo::PhotoError;
use smartcity_domain::{Invalid, Lang};
use std::panic::Location;
use std::sync::Arc;

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $status:literal, $vi:literal, $en:literal;)*) => {
        /// Stable error codes. Clients match on these; the texts may change, the codes do not.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            fn row(self) -> (&'static str, u16, &'static str, &'static str) {
                match self {
                    $(ErrorCode::$variant => ($code, $status, $vi, $en),)*
                }
            }
        }
    };
}

error_codes! {
    MalformedJson => "malformed_json", 400,
        "Nội dung gửi lên không phải JSON hợp lệ", "The request body is not valid JSON";
    MalformedForm => "malformed_form", 400,
        "Biểu mẫu gửi lên không đọc được", "The form cannot be read";
    InvalidQuery => "invalid_query", 400,
        "Tham số truy vấn không hợp lệ", "A query parameter is invalid";
    InvalidPath => "invalid_path", 400, "Đường dẫn không hợp lệ", "The path is invalid";
    AuthenticationRequired => "authentication_required", 401,
        "Cần đăng nhập", "Authentication required";
    InvalidToken => "invalid_token", 401,
        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn", "The access token is invalid or expired";
    InvalidCredentials => "invalid_credentials", 401,
        "Số điện thoại hoặc mật khẩu không đúng", "Wrong phone number or password";
    InvalidRefreshToken => "invalid_refresh_token", 401,
        "Mã làm mới phiên không hợp lệ hoặc đã hết hạn", "The refresh token is invalid or expired";
    InvalidApiKey => "invalid_api_key", 401,
        "Khoá API không hợp lệ hoặc đã bị thu hồi", "The API key is invalid or revoked";
    RefreshTokenReused => "refresh_token_reused", 401,
        "Mã làm mới phiên đã được dùng; phiên đăng nhập đã bị thu hồi",
        "The refresh token was already used; the session has been revoked";
    Forbidden => "forbidden", 403,
        "Bạn không có quyền thực hiện thao tác này", "You are not allowed to do this";
    PhoneNotVerified => "phone_not_verified", 403,
        "Cần xác thực số điện thoại trước (mã gửi qua SMS)",
        "Verify your phone number first (a code by SMS)";
    RouteNotFound => "route_not_found", 404, "Không có địa chỉ này", "No such route";
    NotFound => "not_found", 404, "Không tìm thấy", "Not found";
    MethodNotAllowed => "method_not_allowed", 405,
        "Phương thức không được hỗ trợ ở địa chỉ này", "Method not allowed on this route";
    PhoneAlreadyVerified => "phone_already_verified", 409,
        "Số điện thoại đã được xác thực", "The phone number is already verified";
    PhoneTaken => "phone_taken", 409,
        "Số điện thoại này đã được đăng ký", "This phone number is already registered";
    AgencyCodeTaken => "agency_code_taken", 409,
        "Mã cơ quan này đã được dùng", "This agency code is already in use";
    LastAdmin => "last_admin", 409,
        "Không thể xoá tài khoản quản trị cuối cùng",
        "The last administrator account cannot be deleted";
    DossierClosed => "dossier_closed", 409,
        "Hồ sơ đã kết thúc; sự kiện phải ghi rõ mở lại hồ sơ",
        "The dossier is closed; an event after it must reopen it";
    DecisionNotAllowed => "decision_not_allowed", 409,
        "Không thể thực hiện bước này với hồ sơ lúc này",
        "This step is not possible for the dossier now";
    TransitionNotAllowed => "transition_not_allowed", 409,
        "Không thể chuyển phản ánh sang bước này lúc này",
        "This step is not possible for the complaint now";
    ProcedureExists => "procedure_exists", 409,
        "Đã có thủ tục với mã này", "A procedure with this code already exists";
    CategoryExists => "category_exists", 409,
        "Đã có loại phản ánh với mã này", "A category with this code already exists";
    WarningCancelled => "warning_cancelled", 409,
        "Cảnh báo đã bị hủy; hãy ban hành cảnh báo mới",
        "The warning was called off; issue a new one";
    QuestionAnswered => "question_answered", 409,
        "Câu hỏi đã được trả lời", "The question has been answered already";
    TooManyAreas => "too_many_areas", 409,
        "Bạn đã theo dõi số khu vực tối đa; hãy bỏ bớt một khu vực",
        "You follow as many areas as allowed; remove one first";
    BodyTooLarge => "body_too_large", 413,
        "Nội dung gửi lên quá lớn", "The request body is too large";
    UriTooLong => "uri_too_long", 414,
        "Địa chỉ yêu cầu quá dài", "The request address is too long";
    UnsupportedMediaType => "unsupported_media_type", 415,
        "Kiểu nội dung không được hỗ trợ", "Unsupported content type";
    InvalidField => "invalid_field", 422, "Dữ liệu không hợp lệ", "A field is invalid";
    IdempotencyKeyReused => "idempotency_key_reused", 422,
        "Khoá Idempotency-Key đã dùng cho một yêu cầu khác",
        "The Idempotency-Key was used for a different request";
    OutsideServedArea => "outside_served_area", 422,
        "Vị trí nằm ngoài địa bàn được phục vụ", "The location is outside the area served";
    CodeNotAccepted => "code_not_accepted", 422,
        "Mã xác thực không đúng hoặc đã hết hạn; hãy yêu cầu mã mới",
        "The code is wrong or has expired; ask for a new one";
    TooManyCodes => "too_many_codes", 429,
        "Đã gửi quá nhiều mã tới số này; vui lòng đợi rồi thử lại",
        "Too many codes sent to this number; wait and try again";
    TooManyAttempts => "too_many_attempts", 429,
        "Thử quá nhiều lần; vui lòng đợi rồi thử lại", "Too many attempts; wait and try again";
    HeadersTooLarge => "headers_too_large", 431,
        "Phần đầu yêu cầu quá lớn", "The request headers are too large";
    Internal => "internal_error", 500, "Lỗi hệ thống", "Internal server error";
    DatabaseUnavailable => "database_unavailable", 503,
        "Hệ thống tạm thời gián đoạn; vui lòng thử lại sau",
        "Temporarily unavailable; try again shortly";
    StorageUnavailable => "storage_unavailable", 503,
        "Kho lưu trữ ảnh tạm thời không ghi được", "Photo storage is temporarily unavailable";
    ServerBusy => "server_busy", 503,
        "Máy chủ đang quá tải; vui lòng thử lại sau", "The server is busy; try again shortly";
    CameraUnavailable => "camera_unavailable", 503,
        "Camera tạm thời không phản hồi; vui lòng thử lại sau",
        "The camera is not answering; try again later";
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        self.row().1
    }

    pub fn title(self, lang: Lang) -> &'static str {
        let (_, _, vi, en) = self.row();
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// Why an error happened, for the log: never shown to the caller.
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    /// The field at fault, as a path into the body or the query (`phone`, `items[2].name`).
    pub field: Option<String>,
    pub detail: Option<Bilingual>,
    pub retry_after_secs: Option<u64>,
    pub cause: Option<Cause>,
    /// Where in our code the error was made (or converted from its cause).
    pub location: &'static Location<'static>,
}

impl ApiError {
    #[track_caller]
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            field: None,
            detail: None,
            retry_after_secs: None,
            cause: None,
            location: Location::caller(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_detail(mut self, vi: impl Into<String>, en: impl Into<String>) -> Self {
        self.detail = Some(Bilingual::new(vi, en));
        self
    }

    pub fn with_cause(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// Where the error counts as made, when that is not where it was built.
    pub fn at(mut self, location: &'static Location<'static>) -> Self {
        self.location = location;
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 422 on a body or form field, with what is wrong in both languages.
    #[track_caller]
    pub fn invalid_field(
        field: impl Into<String>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError::new(ErrorCode::InvalidField).with_field(field).with_detail(vi, en)
    }

    /// 400 on a query parameter, with what is wrong in both languages.
    #[track_caller]
    pub fn invalid_query(
        field: impl Into<String>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError::new(ErrorCode::InvalidQuery).with_field(field).with_detail(vi, en)
    }

    #[track_caller]
    pub fn not_found() -> Self {
        ApiError::new(ErrorCode::NotFound)
    }

    #[track_caller]
    pub fn forbidden() -> Self {
        ApiError::new(ErrorCode::Forbidden)
    }

    /// A fault of ours, with what caused it for the log.
    #[track_caller]
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::new(ErrorCode::Internal).with_cause(cause)
    }

    /// The same refusal as a query parameter's (400) rather than a body field's (422).
    pub fn in_query(mut self) -> Self {
        if self.code == ErrorCode::InvalidField {
            self.code = ErrorCode::InvalidQuery;
        }
        self
    }

    /// The detail in `lang`: what was said, else which field is at fault, else the title.
    pub fn detail_in(&self, lang: Lang) -> String {
        match (&self.detail, &self.field) {
            (Some(detail), _) => detail.get(lang).to_string(),
            (None, Some(field)) => match lang {
                Lang::Vi => format!("Trường `{field}` không hợp lệ"),
                Lang::En => format!("Field `{field}` is invalid"),
            },
            (None, None) => self.code.title(lang).to_string(),
        }
    }
}

/// A fault of ours that has no error value of its own (a stored word this version does not
/// know, a row that should exist): its message is the cause in the log.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Bug(pub String);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code.as_str())?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {}", detail.en)?;
        }
        if let Some(cause) = &self.cause {
            write!(f, "; cause: {cause}")?;
        }
        write!(f, " at {}", self.location)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

impl From<Invalid> for ApiError {
    #[track_caller]
    fn from(invalid: Invalid) -> Self {
        ApiError::new(ErrorCode::InvalidField)
            .with_detail(
                format!("`{}` {}", invalid.field, invalid.reason.message(Lang::Vi)),
                format!("`{}` {}", invalid.field, invalid.reason.message(Lang::En)),
            )
            .with_field(invalid.field)
    }
}

impl From<Refusal> for ApiError {
    #[track_caller]
    fn from(refusal: Refusal) -> Self {
        let (code, field) = match &refusal {
            Refusal::Forbidden { .. } => (ErrorCode::Forbidden, None),
            Refusal::NotAllowedFrom { .. } | Refusal::OutsideWindow { .. } => {
                (ErrorCode::TransitionNotAllowed, None)
            }
            Refusal::Invalid(invalid) => (ErrorCode::InvalidField, Some(invalid.field.clone())),
        };
        let error =
            ApiError::new(code).with_detail(refusal.message(Lang::Vi), refusal.message(Lang::En));
        match field {
            Some(field) => error.with_field(field),
            None => error,
        }
    }
}

impl From<DbError> for ApiError {
    #[track_caller]
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(_) => {
                ApiError::new(ErrorCode::DatabaseUnavailable).retry_after(5).with_cause(err)
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<StoreError> for ApiError {
    #[track_caller]
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(_) => ApiError::not_found().with_cause(err),
            StoreError::Unavailable(_) => {
                ApiError::new(ErrorCode::StorageUnavailable).retry_after(30).with_cause(err)
            }
            other => ApiError::internal(other),
        }
    }
}

impl ApiError {
    /// A photo refused or failed, naming the part (`photos[2]`). The photo's own code
    /// (`photo_too_large`, …) ends the detail in both languages, in parentheses: 413 for too
    /// large, 415 for HEIC and other types, 422 for too many pixels, corrupt, empty or too many
    /// photos, and 500 for a fault of ours while processing a good photo.
    #[track_caller]
    pub fn photo(error: PhotoError, field: impl Into<String>) -> Self {
        let code = match error {
            PhotoError::TooLarge { .. } => ErrorCode::BodyTooLarge,
            PhotoError::HeicNotSupported | PhotoError::UnsupportedType => {
                ErrorCode::UnsupportedMediaType
            }
            PhotoError::Empty
            | PhotoError::TooManyPixels { .. }
            | PhotoError::Corrupt
            | PhotoError::TooManyPhotos { .. } => ErrorCode::InvalidField,
            PhotoError::ProcessingFailed => return ApiError::internal(error),
        };
        ApiError::new(code).with_field(field).with_detail(
            format!("{} ({})", error.message(Lang::Vi), error.code()),
            format!("{} ({})", error.message(Lang::En), error.code()),
        )
    }
}

impl From<tokio::task::JoinError> for ApiError {
    #[track_caller]
    fn from(err: tokio::task::JoinError) -> Self {
        ApiError::internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_its_own_word_a_status_and_titles() {
        let mut words = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(words.insert(code.as_str()), "{code:?} repeats a word");
            assert!((400..600).contains(&code.status()), "{code:?}");
            assert!(!code.title(Lang::Vi).is_empty() && !code.title(Lang::En).is_empty());
            assert_ne!(code.title(Lang::Vi), code.title(Lang::En), "{code:?}");
        }
        assert_eq!(ErrorCode::InvalidField.as_str(), "invalid_field");
        assert_eq!(ErrorCode::InvalidField.status(), 422);
        assert_eq!(ErrorCode::TooManyAttempts.status(), 429);
    }

    #[test]
    fn an_error_keeps_its_cause_and_where_it_was_made() {
        let line = line!() + 1;
        let error = ApiError::from(DbError::Corrupt("a status nobody knows".into()));
        assert_eq!(error.code, ErrorCode::Internal);
        assert_eq!((error.location.file(), error.location.line()), (file!(), line));
        assert!(error.to_string().contains("a status nobody knows"), "{error}");
        let outage = ApiError::from(DbError::Unavailable("pool timed out".into()));
        assert_eq!(
            (outage.code, outage.retry_after_secs),
            (ErrorCode::DatabaseUnavailable, Some(5))
        );
    }

    #[test]
    fn refusals_map_to_codes_at_this_edge() {
        use smartcity_domain::complaint::{Actor, ComplaintStatus, EventKind};
        let forbidden = Refusal::Forbidden { event: EventKind::Note, actor: Actor::Citizen };
        assert_eq!(ApiError::from(forbidden).code, ErrorCode::Forbidden);
        let conflict =
            Refusal::NotAllowedFrom { event: EventKind::Rated, status: ComplaintStatus::New };
        assert_eq!(ApiError::from(conflict).code, ErrorCode::TransitionNotAllowed);
        let invalid = Refusal::Invalid(Invalid::new("stars", smartcity_domain::Reason::Required));
        let error = ApiError::from(invalid);
        assert_eq!((error.code, error.field.as_deref()), (ErrorCode::InvalidField, Some("stars")));
    }

    #[test]
    fn photos_errors_map_to_problems() {
        let problem = |error: PhotoError| {
            let api = ApiError::photo(error, "photos");
            (api.code.status(), api.code, api.field.clone(), api.detail.clone())
        };
        let (status, code, field, detail) =
            problem(PhotoError::TooLarge { max_bytes: smartcity_domain::photo::MAX_PHOTO_BYTES });
        assert_eq!(
            (status, code, field.as_deref()),
            (413, ErrorCode::BodyTooLarge, Some("photos"))
        );
        let detail = detail.unwrap();
        assert!(detail.vi.contains("(photo_too_large)") && detail.vi.contains("15 MB"));
        assert!(detail.en.contains("(photo_too_large)"));
        assert_eq!(problem(PhotoError::HeicNotSupported).0, 415);
        assert!(problem(PhotoError::HeicNotSupported).3.unwrap().en.contains("JPEG"));
        assert_eq!(problem(PhotoError::UnsupportedType).0, 415);
        for error in [
            PhotoError::TooManyPixels { max_pixels: smartcity_domain::photo::MAX_PHOTO_PIXELS },
            PhotoError::Corrupt,
            PhotoError::Empty,
            PhotoError::TooManyPhotos { max: 5 },
        ] {
            let (status, code, _, detail) = problem(error);
            assert_eq!((status, code), (422, ErrorCode::InvalidField), "{error:?}");
            assert!(detail.unwrap().en.ends_with(&format!("({})", error.code())));
        }
        let internal = ApiError::photo(PhotoError::ProcessingFailed, "photos");
        assert_eq!((internal.code, internal.detail.is_none()), (ErrorCode::Internal, true));
        let at = ApiError::photo(PhotoError::Corrupt, "photos[2]");
        assert_eq!(at.field.as_deref(), Some("photos[2]"));
    }

    #[test]
    fn storage_errors_become_not_found_an_outage_or_a_fault() {
        let missing = ApiError::from(StoreError::NotFound("photos/x".into()));
        assert_eq!(missing.code, ErrorCode::NotFound);
        let full = StoreError::Unavailable(object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        });
        let outage = ApiError::from(full);
        assert_eq!((outage.code.status(), outage.retry_after_secs), (503, Some(30)));
        assert!(outage.cause.is_some());
        let fault = ApiError::from(StoreError::InvalidKey("..".into()));
        assert_eq!((fault.code, fault.detail.is_none()), (ErrorCode::Internal, true));
    }
}
