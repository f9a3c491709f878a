//! The texts, in Vietnamese, written with diacritics: [`super::SmsText::compose`] strips them
//! when the operator sends unaccented text. Each tells one fact and what to do about it; none
//! offers, praises or promotes anything (Decree 91/2020/NĐ-CP: an advertising message needs
//! the recipient's consent and a `QC` label, and none of these may become one).
//!
//! Lengths, with a 38-character dossier code, "Thừa Thiên Huế" as the city and a 5-digit opt-out
//! number or a 23-character link (the test renders every text so): unaccented, every text is one
//! GSM-7 segment; with diacritics (UCS-2), at most two. A longer public URL in the link costs
//! its length.

use super::code::{CodePurpose, CODE_TTL};
use crate::dossier::DossierStatus;
use chrono::NaiveDate;

/// How a dossier message tells its reader to stop them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOut<'a> {
    /// Reply `TC` to this number (the gateway's short code).
    Reply { to: &'a str },
    /// A short link that turns them off.
    Link { url: &'a str },
}

/// What a dossier message says, by the status it reached ([`dossier_sms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierSms {
    /// Received, with the appointment to collect the result when there is one.
    Received {
        appointment: Option<NaiveDate>,
    },
    /// More documents needed, by this date when there is one.
    MoreDocuments {
        deadline: Option<NaiveDate>,
    },
    PaymentRequired,
    /// Done: the result is ready.
    Done,
    ResultReturned,
    /// Refused at intake, or stopped while processed.
    Refused,
}

/// The message a dossier's new status sends, or None for a status that does not text
/// (submitted: the applicant just did it; processing: nothing to do; withdrawn: the applicant
/// asked for it). `date` is the appointment for `Received` and the deadline for
/// `MoreDocumentsNeeded`, and unused otherwise.
pub fn dossier_sms(status: DossierStatus, date: Option<NaiveDate>) -> Option<DossierSms> {
    match status {
        DossierStatus::Received => Some(DossierSms::Received { appointment: date }),
        DossierStatus::MoreDocumentsNeeded => Some(DossierSms::MoreDocuments { deadline: date }),
        DossierStatus::PaymentRequired => Some(DossierSms::PaymentRequired),
        DossierStatus::Done => Some(DossierSms::Done),
        DossierStatus::ResultReturned => Some(DossierSms::ResultReturned),
        DossierStatus::RejectedAtIntake | DossierStatus::Stopped => Some(DossierSms::Refused),
        DossierStatus::Submitted | DossierStatus::Processing | DossierStatus::Withdrawn => None,
    }
}

/// One message to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsTemplate<'a> {
    Code {
        purpose: CodePurpose,
        code: &'a str,
    },
    Dossier {
        dossier_code: &'a str,
        update: DossierSms,
        opt_out: OptOut<'a>,
    },
    /// To an agency's staff: `overdue` items of `agency` are past their due date.
    StaffOverdue {
        agency: &'a str,
        overdue: u32,
    },
    /// A warning to an area the reader follows: what happened to it (`label`: "Cảnh báo
    /// khẩn", "Cập nhật", "Đã hủy") and its title, shortened to fit.
    Warning {
        label: &'a str,
        title: &'a str,
        opt_out: OptOut<'a>,
    },
}

/// The room a text has: two UCS-2 segments. Unaccented, that is also within one GSM-7 segment
/// (160), unless the words are full of the characters GSM-7 writes with an escape.
const ROOM: usize = 2 * 67;

/// `text` cut at a word so that `fixed` more characters still fit the room, marked "..." (not
/// "…", which GSM-7 has not).
fn shortened(text: &str, fixed: usize) -> String {
    let room = ROOM.saturating_sub(fixed);
    if text.encode_utf16().count() <= room {
        return text.to_string();
    }
    let mut kept = String::new();
    for word in text.split_whitespace() {
        let next = if kept.is_empty() { word.to_string() } else { format!("{kept} {word}") };
        if next.encode_utf16().count() + 3 > room {
            break;
        }
        kept = next;
    }
    if kept.is_empty() {
        // One word longer than the room: cut inside it.
        kept = text.chars().take(room.saturating_sub(3)).collect();
    }
    format!("{kept}...")
}

impl SmsTemplate<'_> {
    /// The text, with diacritics, signed by the city's service (`city`: "Đà Nẵng").
    pub fn render(&self, city: &str) -> String {
        match self {
            SmsTemplate::Code { purpose, code } => {
                let what = match purpose {
                    CodePurpose::Verify => "Mã xác thực",
                    CodePurpose::Reset => "Mã đặt lại mật khẩu",
                    CodePurpose::PhoneChange => "Mã xác nhận số điện thoại mới",
                };
                let minutes = CODE_TTL.num_minutes();
                format!(
                    "{what} SmartCity {city} của bạn là {code}, hiệu lực {minutes} phút. \
                     Không chia sẻ mã này với bất kỳ ai."
                )
            }
            SmsTemplate::Dossier { dossier_code, update, opt_out } => {
                let day = |date: &NaiveDate| date.format("%d/%m/%Y").to_string();
                // Every word counts: with diacritics (UCS-2) two segments hold 134 characters,
                // and a 38-character code and the opt-out take half of them. The handset shows
                // the brandname as the sender, so the city alone signs.
                let news = match update {
                    DossierSms::Received { appointment: Some(date) } => {
                        format!("đã tiếp nhận, hẹn trả {}.", day(date))
                    }
                    DossierSms::Received { appointment: None } => "đã tiếp nhận.".into(),
                    DossierSms::MoreDocuments { deadline: Some(date) } => {
                        format!("cần bổ sung giấy tờ trước {}.", day(date))
                    }
                    DossierSms::MoreDocuments { deadline: None } => "cần bổ sung giấy tờ.".into(),
                    DossierSms::PaymentRequired => "cần nộp phí, lệ phí.".into(),
                    DossierSms::Done => "đã có kết quả. Xem trên ứng dụng.".into(),
                    DossierSms::ResultReturned => "đã trả kết quả.".into(),
                    DossierSms::Refused => "bị từ chối, xem lý do trên ứng dụng.".into(),
                };
                let stop = match opt_out {
                    OptOut::Reply { to } => format!("Dừng nhận: TC gửi {to}"),
                    OptOut::Link { url } => format!("Dừng nhận: {url}"),
                };
                format!("{city}: Hồ sơ {dossier_code} {news} {stop}")
            }
            SmsTemplate::Warning { label, title, opt_out } => {
                let stop = match opt_out {
                    OptOut::Reply { to } => format!("Dừng nhận: TC gửi {to}"),
                    OptOut::Link { url } => format!("Dừng nhận: {url}"),
                };
                let frame = format!("{city} - {label}: . {stop}");
                let title = shortened(title, frame.encode_utf16().count());
                format!("{city} - {label}: {title}. {stop}")
            }
            SmsTemplate::StaffOverdue { agency, overdue } => format!(
                "SmartCity {city}: {agency} có {overdue} việc quá hạn xử lý. \
                 Xem trên trang quản trị."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::{SmsEncoding, SmsText, TextMode};

    /// A title of the most characters a warning's may have, all outside GSM-7 unaccented too.
    const WIDE_TITLE: &str = "ĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐ";

    fn every_template<'a>(dossier_code: &'a str, opt_out: OptOut<'a>) -> Vec<SmsTemplate<'a>> {
        let date = NaiveDate::from_ymd_opt(2026, 12, 31);
        let mut all: Vec<SmsTemplate> = CodePurpose::ALL
            .into_iter()
            .map(|purpose| SmsTemplate::Code { purpose, code: "123456" })
            .collect();
        for status in DossierStatus::ALL {
            for date in [date, None] {
                if let Some(update) = dossier_sms(status, date) {
                    all.push(SmsTemplate::Dossier { dossier_code, update, opt_out });
                }
            }
        }
        let longest_title = "Cảnh báo lũ quét và sạt lở đất tại các xã miền núi phía tây, \
                             người dân khẩn trương di dời đến nơi an toàn trong đêm nay!";
        assert_eq!(longest_title.chars().count(), crate::warning::TITLE_MAX);
        for label in ["Cảnh báo khẩn", "Khẩn cấp", "Cập nhật", "Đã hủy"] {
            assert_eq!(WIDE_TITLE.chars().count(), crate::warning::TITLE_MAX);
            for title in [longest_title, "Mất nước", WIDE_TITLE] {
                all.push(SmsTemplate::Warning { label, title, opt_out });
            }
        }
        all.push(SmsTemplate::StaffOverdue {
            agency: "Sở Tài nguyên và Môi trường thành phố Đà Nẵng",
            overdue: 1234,
        });
        all
    }

    const LONG_CODE: &str = "UBND-PHUONG-THANH-KHE-TAY-261207-00001";
    const CITY: &str = "Thừa Thiên Huế";

    #[test]
    fn every_text_fits_one_segment_unaccented_and_two_with_diacritics() {
        assert!(LONG_CODE.len() >= 37);
        for opt_out in
            [OptOut::Reply { to: "80799" }, OptOut::Link { url: "https://dng.vn/tc/Ab3x9" }]
        {
            for template in every_template(LONG_CODE, opt_out) {
                let text = template.render(CITY);
                let plain = SmsText::compose(&text, TextMode::Unaccented);
                assert_eq!(plain.encoding, SmsEncoding::Gsm7);
                assert_eq!(plain.segments, 1, "{}", plain.body);
                let unicode = SmsText::compose(&text, TextMode::Unicode);
                let most = 2;
                assert!(unicode.segments <= most, "{} segments: {text}", unicode.segments);
            }
        }
    }

    #[test]
    fn the_texts_read_as_written() {
        let code = SmsTemplate::Code { purpose: CodePurpose::Verify, code: "123456" };
        assert_eq!(
            SmsText::compose(&code.render("Đà Nẵng"), TextMode::Unaccented).body,
            "Ma xac thuc SmartCity Da Nang cua ban la 123456, hieu luc 5 phut. \
             Khong chia se ma nay voi bat ky ai."
        );
        let received = SmsTemplate::Dossier {
            dossier_code: "000.00.19.H55-261207-0001",
            update: DossierSms::Received { appointment: NaiveDate::from_ymd_opt(2026, 12, 21) },
            opt_out: OptOut::Reply { to: "8079" },
        };
        assert_eq!(
            received.render("Đà Nẵng"),
            "Đà Nẵng: Hồ sơ 000.00.19.H55-261207-0001 đã tiếp nhận, hẹn trả 21/12/2026. \
             Dừng nhận: TC gửi 8079"
        );
        let storm = SmsTemplate::Warning {
            label: "Khẩn cấp",
            title: "Bão số 9 đổ bộ đêm nay, người dân ở trong nhà",
            opt_out: OptOut::Reply { to: "8079" },
        };
        assert_eq!(
            SmsText::compose(&storm.render("Đà Nẵng"), TextMode::Unaccented).body,
            "Da Nang - Khan cap: Bao so 9 do bo dem nay, nguoi dan o trong nha. Dung nhan: TC gui 8079"
        );
        let staff = SmsTemplate::StaffOverdue { agency: "UBND phường Hải Châu", overdue: 3 };
        assert_eq!(
            staff.render("Đà Nẵng"),
            "SmartCity Đà Nẵng: UBND phường Hải Châu có 3 việc quá hạn xử lý. Xem trên trang quản trị."
        );
    }

    #[test]
    fn statuses_that_text() {
        use DossierStatus as S;
        let date = NaiveDate::from_ymd_opt(2026, 12, 31);
        assert_eq!(
            dossier_sms(S::Received, date),
            Some(DossierSms::Received { appointment: date })
        );
        assert_eq!(
            dossier_sms(S::MoreDocumentsNeeded, date),
            Some(DossierSms::MoreDocuments { deadline: date })
        );
        assert_eq!(dossier_sms(S::PaymentRequired, date), Some(DossierSms::PaymentRequired));
        assert_eq!(dossier_sms(S::Done, None), Some(DossierSms::Done));
        assert_eq!(dossier_sms(S::ResultReturned, None), Some(DossierSms::ResultReturned));
        assert_eq!(dossier_sms(S::RejectedAtIntake, None), Some(DossierSms::Refused));
        assert_eq!(dossier_sms(S::Stopped, None), Some(DossierSms::Refused));
        for quiet in [S::Submitted, S::Processing, S::Withdrawn] {
            assert_eq!(dossier_sms(quiet, date), None, "{quiet:?}");
        }
    }

    #[test]
    fn no_text_reads_as_advertising() {
        let words = ["qc", "quang cao", "khuyen mai", "uu dai", "giam gia", "mien phi", "tang"];
        for template in every_template(LONG_CODE, OptOut::Reply { to: "8079" }) {
            let folded = crate::text::fold(&template.render(CITY));
            let tokens = crate::text::tokens(&folded);
            for word in words {
                let hit = tokens.windows(word.split(' ').count()).any(|w| w.join(" ") == word);
                assert!(!hit, "{word:?} in {folded}");
            }
        }
    }
}
