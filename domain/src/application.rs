//! An online dossier as a citizen submits it from the app (nộp hồ sơ trực tuyến): who applies,
//! with which identity number, where they live, how the result comes back, and which files
//! answer which component of the procedure's [`Submission`]. Everything here is checked before
//! anything is stored; a refusal names the field or the component (`files[to-khai]`).

use crate::procedure::{ApplicantType, FileType, ReturnMethod, Submission};
use crate::validation::{clean_text, Invalid, Reason};
use crate::word::Word;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One uploaded file, at most: a scan of a few pages as PDF, or a phone photo.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Files in one submission, all components together.
pub const MAX_FILES: usize = 20;
/// All files of one submission together: what one request may make the server hold.
pub const MAX_TOTAL_BYTES: usize = 40 * 1024 * 1024;
/// Fields of the procedure's declaration form (tờ khai) sent as `form`.
pub const MAX_FORM_FIELDS: usize = 60;

/// The province codes that open a 12-digit citizen identity number (Circular 07/2016/TT-BCA):
/// the 63 provinces and centrally-run cities before the 2025 merger, which numbers keep.
const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// A personal identity number: the 12-digit citizen identity number (số định danh cá nhân,
/// the CCCD's number), or the old 9-digit identity card's where the procedure accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityNumber(String);

impl IdentityNumber {
    /// Spaces and dots people type between groups of digits are dropped; the form is checked
    /// (12 digits opening with a province's code; 9 digits when `old_id_accepted`), the
    /// registry itself is the agency's to consult.
    pub fn parse(field: &str, raw: &str, old_id_accepted: bool) -> Result<IdentityNumber, Invalid> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
        let citizen_number = all_digits
            && digits.len() == 12
            && digits[..3].parse::<u16>().is_ok_and(|code| PROVINCE_CODES.contains(&code));
        let old_number = all_digits && digits.len() == 9 && old_id_accepted;
        if citizen_number || old_number {
            return Ok(IdentityNumber(digits));
        }
        Err(Invalid::new(
            field,
            Reason::Format {
                expected_vi: if old_id_accepted {
                    "số định danh cá nhân 12 chữ số, hoặc số chứng minh nhân dân 9 chữ số"
                } else {
                    "số định danh cá nhân 12 chữ số (số căn cước công dân)"
                },
                expected_en: if old_id_accepted {
                    "a 12-digit personal identity number, or a 9-digit old identity card number"
                } else {
                    "a 12-digit personal identity number (the citizen identity card's)"
                },
            },
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the applicant lives: province, ward or commune, street and house number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub province: String,
    pub ward: String,
    pub street: String,
}

/// The person or body whose dossier it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    #[serde(rename = "type")]
    pub kind: ApplicantType,
    pub name: String,
    pub identity_number: IdentityNumber,
    pub address: Address,
}

/// Who submits on the applicant's behalf (người được ủy quyền): the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub name: String,
    pub identity_number: IdentityNumber,
    /// How they stand to the applicant: "con", "vợ", "nhân viên"…
    pub relation: String,
}

/// A submission's text fields as the form sent them; `None` for a field not sent.
#[derive(Debug, Default, Clone)]
pub struct ApplicationFields {
    pub applicant_type: Option<String>,
    pub applicant_name: Option<String>,
    pub identity_number: Option<String>,
    pub province: Option<String>,
    pub ward: Option<String>,
    pub street: Option<String>,
    pub on_behalf: bool,
    pub proxy_name: Option<String>,
    pub proxy_identity_number: Option<String>,
    pub proxy_relation: Option<String>,
    pub return_method: Option<String>,
    pub postal_address: Option<String>,
    /// The declaration form's fields as a JSON object of texts.
    pub form: Option<String>,
}

/// What a citizen submits besides the files, checked against the procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub applicant: Applicant,
    pub proxy: Option<Proxy>,
    pub return_method: ReturnMethod,
    /// Where the post brings the result; only when it does.
    pub postal_address: Option<String>,
    /// The declaration form's fields, as the citizen filled them in.
    pub form: BTreeMap<String, String>,
}

fn required<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str, Invalid> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| Invalid::new(field, Reason::Required))
}

/// One of a kind's words that the procedure allows (a subset of the kind's).
fn word<W: Word + PartialEq>(
    field: &str,
    value: &Option<String>,
    allowed: &[W],
) -> Result<W, Invalid> {
    let parsed = W::parse_word(field, required(field, value)?.trim())?;
    if allowed.contains(&parsed) {
        Ok(parsed)
    } else {
        Err(Invalid::new(
            field,
            Reason::Format {
                expected_vi: "một giá trị thủ tục này cho phép (xem GET /v1/procedures/{code})",
                expected_en: "a value this procedure allows (see GET /v1/procedures/{code})",
            },
        ))
    }
}

impl Application {
    /// Checks the fields against what the procedure's submission allows.
    pub fn parse(fields: &ApplicationFields, rules: &Submission) -> Result<Application, Invalid> {
        let text = |field: &str, value: &Option<String>, max: usize| {
            clean_text(field, required(field, value)?, 1, max, false)
        };
        let old_ids = rules.old_id_accepted;
        let applicant = Applicant {
            kind: word("applicant_type", &fields.applicant_type, &rules.applicant_types)?,
            name: text("applicant_name", &fields.applicant_name, 100)?,
            identity_number: IdentityNumber::parse(
                "identity_number",
                required("identity_number", &fields.identity_number)?,
                old_ids,
            )?,
            address: Address {
                province: text("province", &fields.province, 100)?,
                ward: text("ward", &fields.ward, 100)?,
                street: text("street", &fields.street, 300)?,
            },
        };
        let proxy = if fields.on_behalf {
            Some(Proxy {
                name: text("proxy_name", &fields.proxy_name, 100)?,
                identity_number: IdentityNumber::parse(
                    "proxy_identity_number",
                    required("proxy_identity_number", &fields.proxy_identity_number)?,
                    old_ids,
                )?,
                relation: text("proxy_relation", &fields.proxy_relation, 100)?,
            })
        } else {
            let sent = [
                ("proxy_name", &fields.proxy_name),
                ("proxy_identity_number", &fields.proxy_identity_number),
                ("proxy_relation", &fields.proxy_relation),
            ];
            if let Some((field, _)) = sent.iter().find(|(_, v)| v.is_some()) {
                return Err(Invalid::new(
                    *field,
                    Reason::Format {
                        expected_vi: "chỉ gửi khi nộp thay (on_behalf=true)",
                        expected_en: "only sent when submitting on someone's behalf \
                                      (on_behalf=true)",
                    },
                ));
            }
            None
        };
        let return_method = word("return_method", &fields.return_method, &rules.return_methods)?;
        let postal_address = match (return_method, &fields.postal_address) {
            (ReturnMethod::Post, address) => Some(text("postal_address", address, 300)?),
            (_, Some(_)) => {
                return Err(Invalid::new(
                    "postal_address",
                    Reason::Format {
                        expected_vi: "chỉ gửi khi nhận kết quả qua bưu điện (return_method=post)",
                        expected_en: "only sent when the result comes by post \
                                      (return_method=post)",
                    },
                ))
            }
            (_, None) => None,
        };
        let form = match &fields.form {
            Some(json) => parse_form(json)?,
            None => BTreeMap::new(),
        };
        Ok(Application { applicant, proxy, return_method, postal_address, form })
    }
}

/// The declaration form: a JSON object of field names (1–60 characters) to texts (at most
/// 2,000 characters each), at most [`MAX_FORM_FIELDS`] of them.
fn parse_form(json: &str) -> Result<BTreeMap<String, String>, Invalid> {
    let not_an_object = || {
        Invalid::new(
            "form",
            Reason::Format {
                expected_vi: "một đối tượng JSON gồm tên trường và nội dung dạng chữ",
                expected_en: "a JSON object of field names and texts",
            },
        )
    };
    let raw: BTreeMap<String, String> = serde_json::from_str(json).map_err(|_| not_an_object())?;
    if raw.len() > MAX_FORM_FIELDS {
        return Err(Invalid::new(
            "form",
            Reason::OutOfRange { min: 0, max: MAX_FORM_FIELDS as i64 },
        ));
    }
    raw.into_iter()
        .map(|(name, value)| {
            let field = format!("form.{name}");
            let name = clean_text(&field, &name, 1, 60, false)?;
            let value = clean_text(&field, &value, 0, 2000, true)?;
            Ok((name, value))
        })
        .collect()
}

/// What a file's bytes are, whatever it was called: a PDF (the header `%PDF-1.x` or `%PDF-2.x`
/// at the start and the end-of-file marker in its last KiB, as PDF writers put them), a JPEG
/// or a PNG (their signatures); `None` for anything else.
pub fn sniff_file(bytes: &[u8]) -> Option<FileType> {
    let pdf_header = bytes.len() >= 8
        && bytes.starts_with(b"%PDF-")
        && matches!(bytes[5], b'1' | b'2')
        && bytes[6] == b'.'
        && bytes[7].is_ascii_digit();
    if pdf_header {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        let ends = tail.windows(5).any(|w| w == b"%%EOF");
        return ends.then_some(FileType::Pdf);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileType::Png);
    }
    None
}

/// One uploaded file, as far as the rules care: its component and what its bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadKind<'a> {
    pub component: &'a str,
    pub file_type: FileType,
}

/// The field a component's files are sent as, and a refusal names: `files[to-khai]`.
pub fn files_field(component: &str) -> String {
    format!("files[{component}]")
}

/// Checks the uploads against the components: each names a component of the procedure, is a
/// kind of file the component accepts, no component has more files than it allows, and every
/// required component has at least one (unless `only` lists the components asked for, as a
/// request for more documents does: then those, and only those, are required).
pub fn check_uploads(
    rules: &Submission,
    uploads: &[UploadKind<'_>],
    only: Option<&[String]>,
) -> Result<(), Invalid> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for upload in uploads {
        let field = files_field(upload.component);
        let asked = only.is_none_or(|codes| codes.iter().any(|c| c == upload.component));
        let Some(component) = rules.components.iter().find(|c| c.code == upload.component) else {
            return Err(Invalid::new(field, unknown_component()));
        };
        if !asked {
            return Err(Invalid::new(field, not_asked()));
        }
        if !component.file_types.contains(&upload.file_type) {
            return Err(Invalid::new(field, file_type_refused()));
        }
        let count = counts.entry(upload.component).or_default();
        *count += 1;
        if *count > usize::from(component.max_files) {
            return Err(Invalid::new(
                field,
                Reason::OutOfRange { min: 1, max: i64::from(component.max_files) },
            ));
        }
    }
    let missing = rules.components.iter().find(|component| {
        let needed = match only {
            Some(codes) => codes.contains(&component.code),
            None => component.required,
        };
        needed && !counts.contains_key(component.code.as_str())
    });
    match missing {
        Some(component) => Err(Invalid::new(files_field(&component.code), Reason::Required)),
        None => Ok(()),
    }
}

fn unknown_component() -> Reason {
    Reason::Format {
        expected_vi: "mã một thành phần hồ sơ của thủ tục này",
        expected_en: "the code of a component of this procedure's dossier",
    }
}

fn not_asked() -> Reason {
    Reason::Format {
        expected_vi: "chỉ các thành phần cơ quan yêu cầu bổ sung",
        expected_en: "only the components the agency asked for",
    }
}

fn file_type_refused() -> Reason {
    Reason::Format {
        expected_vi: "loại tệp thành phần này nhận (file_types của thủ tục)",
        expected_en: "a kind of file this component accepts (the procedure's file_types)",
    }
}

/// An online dossier's code: the receiving agency's code in capitals, the day of submission
/// and its number among that agency's online dossiers of the day
/// (`000.00.12.H47-261206-0001`), the shape one-stop-shop systems give theirs.
pub fn online_dossier_code(agency_code: &str, day: NaiveDate, number: i64) -> String {
    format!("{}-{}-{number:04}", agency_code.to_ascii_uppercase(), day.format("%y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procedure::Component;

    fn component(code: &str, required: bool, file_types: &[FileType], max_files: u8) -> Component {
        Component {
            code: code.into(),
            name: code.into(),
            name_en: code.into(),
            originals: 1,
            copies: 0,
            required,
            file_types: file_types.to_vec(),
            max_files,
            form_url: None,
        }
    }

    fn rules() -> Submission {
        Submission {
            components: vec![
                component("to-khai", true, &[FileType::Pdf], 1),
                component("giay-chung-sinh", true, &[FileType::Pdf, FileType::Jpeg], 2),
                component("uy-quyen", false, &FileType::ALL, 5),
            ],
            applicant_types: vec![ApplicantType::Citizen],
            old_id_accepted: false,
            return_methods: vec![ReturnMethod::Counter, ReturnMethod::Post],
        }
    }

    fn fields() -> ApplicationFields {
        ApplicationFields {
            applicant_type: Some("citizen".into()),
            applicant_name: Some("Nguyễn Thị Ánh".into()),
            identity_number: Some("048 190 001 234".into()),
            province: Some("Đà Nẵng".into()),
            ward: Some("Phường Hải Châu".into()),
            street: Some("12 Bạch Đằng".into()),
            return_method: Some("counter".into()),
            ..ApplicationFields::default()
        }
    }

    fn refused_field(fields: &ApplicationFields) -> String {
        Application::parse(fields, &rules()).unwrap_err().field
    }

    #[test]
    fn identity_numbers_are_twelve_digits_opening_with_a_province_or_old_nine_where_allowed() {
        let parsed = IdentityNumber::parse("id", "048.190.001.234", false).unwrap();
        assert_eq!(parsed.as_str(), "048190001234");
        assert!(IdentityNumber::parse("id", "079095000001", false).is_ok(), "Hồ Chí Minh City");
        for bad in ["", "04819000123", "0481900012345", "003190001234", "04819000123a", "١٢٣"] {
            assert!(IdentityNumber::parse("id", bad, true).is_err(), "{bad}");
        }
        assert!(IdentityNumber::parse("id", "201234567", false).is_err(), "old id not allowed");
        assert_eq!(IdentityNumber::parse("id", "201 234 567", true).unwrap().as_str(), "201234567");
    }

    #[test]
    fn an_application_is_checked_against_the_procedures_rules() {
        let ok = Application::parse(&fields(), &rules()).unwrap();
        assert_eq!(ok.applicant.identity_number.as_str(), "048190001234");
        assert_eq!((ok.proxy, ok.postal_address), (None, None));

        let mut f = fields();
        f.applicant_type = Some("enterprise".into());
        assert_eq!(refused_field(&f), "applicant_type", "a kind the procedure does not take");
        let mut f = fields();
        f.return_method = Some("online".into());
        assert_eq!(refused_field(&f), "return_method", "level 3 returns no result online");
        let mut f = fields();
        f.return_method = Some("post".into());
        assert_eq!(refused_field(&f), "postal_address", "by post needs an address");
        f.postal_address = Some("12 Bạch Đằng, Hải Châu, Đà Nẵng".into());
        assert_eq!(
            Application::parse(&f, &rules()).unwrap().postal_address.as_deref(),
            Some("12 Bạch Đằng, Hải Châu, Đà Nẵng")
        );
        let mut f = fields();
        f.postal_address = Some("12 Bạch Đằng".into());
        assert_eq!(refused_field(&f), "postal_address", "an address for a result not posted");
        type Blank = fn(&mut ApplicationFields);
        let blanked: [(Blank, &str); 3] = [
            (|f| f.ward = None, "ward"),
            (|f| f.street = Some("  ".into()), "street"),
            (|f| f.applicant_name = None, "applicant_name"),
        ];
        for (blank, field) in blanked {
            let mut f = fields();
            blank(&mut f);
            assert_eq!(refused_field(&f), field);
        }
    }

    #[test]
    fn a_proxy_gives_their_own_details_and_only_a_proxy_does() {
        let mut f = fields();
        f.on_behalf = true;
        assert_eq!(refused_field(&f), "proxy_name");
        f.proxy_name = Some("Trần Văn Bình".into());
        f.proxy_identity_number = Some("048090000777".into());
        assert_eq!(refused_field(&f), "proxy_relation");
        f.proxy_relation = Some("con".into());
        let proxy = Application::parse(&f, &rules()).unwrap().proxy.unwrap();
        assert_eq!((proxy.name.as_str(), proxy.relation.as_str()), ("Trần Văn Bình", "con"));
        f.on_behalf = false;
        assert_eq!(refused_field(&f), "proxy_name", "proxy details without on_behalf");
    }

    #[test]
    fn the_declaration_form_is_an_object_of_bounded_texts() {
        let mut f = fields();
        f.form = Some(r#"{"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-30"}"#.into());
        let form = Application::parse(&f, &rules()).unwrap().form;
        assert_eq!(form["ho_ten_tre"], "Nguyễn Minh Khang");
        for bad in ["[1]", r#"{"a": 1}"#, "{", r#"{"": "x"}"#] {
            f.form = Some(bad.into());
            assert!(refused_field(&f).starts_with("form"), "{bad}");
        }
        let many: BTreeMap<String, String> =
            (0..=MAX_FORM_FIELDS).map(|i| (format!("f{i}"), "x".to_string())).collect();
        f.form = Some(serde_json::to_string(&many).unwrap());
        assert_eq!(refused_field(&f), "form");
    }

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff_file(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), Some(FileType::Pdf));
        assert_eq!(sniff_file(b"%PDF-2.0\n%%EOF"), Some(FileType::Pdf));
        assert_eq!(sniff_file(b"%PDF-1.7\nno end marker"), None, "a cut PDF");
        assert_eq!(sniff_file(b"%PDF-x.y\n%%EOF"), None);
        let mut padded = b"%PDF-1.4\n%%EOF\n".to_vec();
        padded.extend(std::iter::repeat_n(b' ', 2000));
        assert_eq!(sniff_file(&padded), None, "the marker is not near the end");
        assert_eq!(sniff_file(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileType::Jpeg));
        assert_eq!(sniff_file(b"\x89PNG\r\n\x1a\n...."), Some(FileType::Png));
        for other in [&b""[..], b"GIF89a", b"PK\x03\x04", b"<html>%PDF-1.7 %%EOF"] {
            assert_eq!(sniff_file(other), None);
        }
    }

    fn upload(component: &str, file_type: FileType) -> UploadKind<'_> {
        UploadKind { component, file_type }
    }

    #[test]
    fn uploads_answer_the_components() {
        let complete = [
            upload("to-khai", FileType::Pdf),
            upload("giay-chung-sinh", FileType::Jpeg),
            upload("giay-chung-sinh", FileType::Pdf),
        ];
        assert_eq!(check_uploads(&rules(), &complete, None), Ok(()));
        let field =
            |uploads: &[UploadKind<'_>]| check_uploads(&rules(), uploads, None).unwrap_err();
        let missing = field(&complete[..1]);
        assert_eq!(
            (missing.field.as_str(), missing.reason),
            ("files[giay-chung-sinh]", Reason::Required)
        );
        let wrong_type = [upload("to-khai", FileType::Png), complete[1]];
        assert_eq!(field(&wrong_type).field, "files[to-khai]");
        let too_many = [complete[0], complete[0], complete[1]];
        assert_eq!(field(&too_many).reason, Reason::OutOfRange { min: 1, max: 1 });
        let unknown = [upload("ho-chieu", FileType::Pdf), complete[0], complete[1]];
        assert_eq!(field(&unknown).field, "files[ho-chieu]");
    }

    #[test]
    fn a_supplement_brings_exactly_the_components_asked_for() {
        let asked = vec!["uy-quyen".to_string()];
        let given = [upload("uy-quyen", FileType::Png)];
        assert_eq!(check_uploads(&rules(), &given, Some(&asked)), Ok(()));
        let refused = check_uploads(&rules(), &[upload("to-khai", FileType::Pdf)], Some(&asked));
        assert_eq!(refused.unwrap_err().field, "files[to-khai]", "not asked for");
        let refused = check_uploads(&rules(), &[], Some(&asked));
        assert_eq!(refused.unwrap_err().field, "files[uy-quyen]", "asked for, not sent");
    }

    #[test]
    fn online_dossier_codes_name_the_agency_the_day_and_a_number() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(online_dossier_code("000.00.12.H47", day, 1), "000.00.12.H47-261206-0001");
        assert_eq!(online_dossier_code("ubnd-hai-chau", day, 12345), "UBND-HAI-CHAU-261206-12345");
        let longest = online_dossier_code(&"a".repeat(40), day, 99_999);
        assert!(crate::dossier::parse_dossier_code("code", &longest).is_ok(), "{longest}");
    }
}
