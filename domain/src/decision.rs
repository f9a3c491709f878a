//! An agency's decisions on a dossier, as the one-stop-shop regulation (Decree 61/2018 and
//! Circular 01/2018/TT-VPCP) sets them: each a status of the national portal's vocabulary, each
//! allowed only from certain statuses, and some producing a slip for the citizen.

use crate::dossier::DossierStatus;
use crate::validation::{clean_text, Invalid, Reason};
use chrono::NaiveDate;

/// The longest a citizen is given to bring more documents, in working days.
pub const MAX_SUPPLEMENT_DAYS: u32 = 30;

/// What the agency decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Receives the dossier (2), with its due date: the agency's, or the procedure's processing
    /// days counted in working days from today. Form 01.
    Receive { due_on: Option<NaiveDate> },
    /// Refuses it at intake (3), saying why. Form 03.
    Refuse { reason: String },
    /// Asks for more documents (5): which components, why, and by when. Form 02.
    RequestDocuments { components: Vec<String>, reason: String, working_days: u32 },
    /// Asks for the fee or another financial obligation (6).
    RequirePayment { amount_vnd: i64, purpose: String },
    /// Records the payment the agency confirms, and goes on processing (4).
    ConfirmPayment { reference: String },
    /// Moves the due date later, with an apology (the status does not change). Form 04.
    Reschedule { due_on: NaiveDate, reason: String },
    /// The result is ready (9).
    Done,
    /// The result is handed over (10), by post with its tracking code.
    ReturnResult { tracking_code: Option<String> },
}

/// The slip a decision produces (Circular 01/2018/TT-VPCP's form number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlipForm {
    Receipt = 1,
    MoreDocuments = 2,
    Refusal = 3,
    Apology = 4,
}

impl SlipForm {
    pub fn number(self) -> i32 {
        self as i32
    }

    /// The form's title, as Circular 01/2018/TT-VPCP names it.
    pub fn title_vi(self) -> &'static str {
        match self {
            SlipForm::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            SlipForm::MoreDocuments => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            SlipForm::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            SlipForm::Apology => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        }
    }

    pub fn from_number(number: i32) -> Option<SlipForm> {
        [SlipForm::Receipt, SlipForm::MoreDocuments, SlipForm::Refusal, SlipForm::Apology]
            .into_iter()
            .find(|form| form.number() == number)
    }
}

impl Decision {
    /// The decision's name in requests (`"decision": "receive"`).
    pub fn name(&self) -> &'static str {
        match self {
            Decision::Receive { .. } => "receive",
            Decision::Refuse { .. } => "refuse",
            Decision::RequestDocuments { .. } => "request_documents",
            Decision::RequirePayment { .. } => "require_payment",
            Decision::ConfirmPayment { .. } => "confirm_payment",
            Decision::Reschedule { .. } => "reschedule",
            Decision::Done => "done",
            Decision::ReturnResult { .. } => "return_result",
        }
    }

    /// The status it leaves the dossier in; a rescheduling keeps the current one.
    pub fn status_after(&self, current: DossierStatus) -> DossierStatus {
        match self {
            Decision::Receive { .. } => DossierStatus::Received,
            Decision::Refuse { .. } => DossierStatus::RejectedAtIntake,
            Decision::RequestDocuments { .. } => DossierStatus::MoreDocumentsNeeded,
            Decision::RequirePayment { .. } => DossierStatus::PaymentRequired,
            Decision::ConfirmPayment { .. } => DossierStatus::Processing,
            Decision::Reschedule { .. } => current,
            Decision::Done => DossierStatus::Done,
            Decision::ReturnResult { .. } => DossierStatus::ResultReturned,
        }
    }

    /// The statuses it may be taken from.
    pub fn allowed_from(&self) -> &'static [DossierStatus] {
        use DossierStatus::*;
        match self {
            Decision::Receive { .. } | Decision::Refuse { .. } => &[Submitted],
            Decision::RequestDocuments { .. } | Decision::RequirePayment { .. } => {
                &[Received, Processing]
            }
            Decision::ConfirmPayment { .. } => &[PaymentRequired],
            Decision::Reschedule { .. } => {
                &[Received, Processing, MoreDocumentsNeeded, PaymentRequired]
            }
            Decision::Done => &[Received, Processing, PaymentRequired],
            Decision::ReturnResult { .. } => &[Done],
        }
    }

    /// The statuses the decision named `name` may be taken from (`None` for no such
    /// decision), for offering only what is possible now.
    pub fn name_allowed_from(name: &str) -> Option<&'static [DossierStatus]> {
        let sample = match name {
            "receive" => Decision::Receive { due_on: None },
            "refuse" => Decision::Refuse { reason: String::new() },
            "request_documents" => Decision::RequestDocuments {
                components: vec![],
                reason: String::new(),
                working_days: 1,
            },
            "require_payment" => Decision::RequirePayment { amount_vnd: 1, purpose: String::new() },
            "confirm_payment" => Decision::ConfirmPayment { reference: String::new() },
            "reschedule" => Decision::Reschedule { due_on: NaiveDate::MIN, reason: String::new() },
            "done" => Decision::Done,
            "return_result" => Decision::ReturnResult { tracking_code: None },
            _ => return None,
        };
        Some(sample.allowed_from())
    }

    pub fn slip(&self) -> Option<SlipForm> {
        match self {
            Decision::Receive { .. } => Some(SlipForm::Receipt),
            Decision::Refuse { .. } => Some(SlipForm::Refusal),
            Decision::RequestDocuments { .. } => Some(SlipForm::MoreDocuments),
            Decision::Reschedule { .. } => Some(SlipForm::Apology),
            _ => None,
        }
    }

    /// What the timeline says of it, for the citizen.
    pub fn step(&self) -> String {
        match self {
            Decision::Receive { .. } => "Tiếp nhận hồ sơ".into(),
            Decision::Refuse { .. } => "Từ chối tiếp nhận hồ sơ".into(),
            Decision::RequestDocuments { .. } => "Yêu cầu bổ sung, hoàn thiện hồ sơ".into(),
            Decision::RequirePayment { .. } => "Yêu cầu thực hiện nghĩa vụ tài chính".into(),
            Decision::ConfirmPayment { .. } => "Đã thanh toán; tiếp tục xử lý".into(),
            Decision::Reschedule { .. } => "Xin lỗi và hẹn lại ngày trả kết quả".into(),
            Decision::Done => "Đã có kết quả".into(),
            Decision::ReturnResult { .. } => "Đã trả kết quả".into(),
        }
    }

    /// The note the timeline carries: the reason, the amount, the new date, the tracking code.
    pub fn note(&self) -> Option<String> {
        match self {
            Decision::Refuse { reason } => Some(reason.clone()),
            Decision::RequestDocuments { reason, .. } => Some(reason.clone()),
            Decision::RequirePayment { amount_vnd, purpose } => {
                Some(format!("{} đồng: {purpose}", group_thousands(*amount_vnd)))
            }
            Decision::ConfirmPayment { reference } => Some(format!("Mã thanh toán: {reference}")),
            Decision::Reschedule { due_on, reason } => {
                Some(format!("Hẹn lại ngày {}: {reason}", due_on.format("%d/%m/%Y")))
            }
            Decision::ReturnResult { tracking_code: Some(code) } => {
                Some(format!("Gửi qua bưu chính, mã vận đơn {code}"))
            }
            Decision::Receive { .. } | Decision::Done | Decision::ReturnResult { .. } => None,
        }
    }
}

/// 1200000 → "1.200.000", as amounts are written in Vietnam.
fn group_thousands(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    out
}

/// A decision as a request names its parts; each is checked here, the refusal naming it.
#[derive(Debug, Default, Clone)]
pub struct DecisionFields {
    pub decision: String,
    pub due_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub components: Option<Vec<String>>,
    pub working_days: Option<u32>,
    pub amount_vnd: Option<i64>,
    pub purpose: Option<String>,
    pub reference: Option<String>,
    pub tracking_code: Option<String>,
}

const DECISIONS: &[&str] = &[
    "receive",
    "refuse",
    "request_documents",
    "require_payment",
    "confirm_payment",
    "reschedule",
    "done",
    "return_result",
];

impl Decision {
    /// Parses a decision; `components` are the codes the procedure's submission knows.
    pub fn parse(fields: DecisionFields, components: &[&str]) -> Result<Decision, Invalid> {
        let text = |field: &str, value: &Option<String>, max: usize| match value {
            Some(v) => clean_text(field, v, 1, max, true),
            None => Err(Invalid::new(field, Reason::Required)),
        };
        let decision = match fields.decision.as_str() {
            "receive" => Decision::Receive { due_on: fields.due_on },
            "refuse" => Decision::Refuse { reason: text("reason", &fields.reason, 2000)? },
            "request_documents" => {
                let asked = fields.components.unwrap_or_default();
                if asked.is_empty() {
                    return Err(Invalid::new("components", Reason::Required));
                }
                for (i, code) in asked.iter().enumerate() {
                    if !components.contains(&code.as_str()) || asked[..i].contains(code) {
                        return Err(Invalid::new(
                            format!("components[{i}]"),
                            Reason::Format {
                                expected_vi: "mã một thành phần hồ sơ của thủ tục, mỗi mã một lần",
                                expected_en: "the code of a component of the procedure, once",
                            },
                        ));
                    }
                }
                let working_days = fields
                    .working_days
                    .ok_or_else(|| Invalid::new("working_days", Reason::Required))?;
                if !(1..=MAX_SUPPLEMENT_DAYS).contains(&working_days) {
                    return Err(Invalid::new(
                        "working_days",
                        Reason::OutOfRange { min: 1, max: i64::from(MAX_SUPPLEMENT_DAYS) },
                    ));
                }
                Decision::RequestDocuments {
                    components: asked,
                    reason: text("reason", &fields.reason, 2000)?,
                    working_days,
                }
            }
            "require_payment" => {
                let amount_vnd = fields
                    .amount_vnd
                    .ok_or_else(|| Invalid::new("amount_vnd", Reason::Required))?;
                if !(1..=1_000_000_000).contains(&amount_vnd) {
                    return Err(Invalid::new(
                        "amount_vnd",
                        Reason::OutOfRange { min: 1, max: 1_000_000_000 },
                    ));
                }
                Decision::RequirePayment {
                    amount_vnd,
                    purpose: text("purpose", &fields.purpose, 300)?,
                }
            }
            "confirm_payment" => {
                Decision::ConfirmPayment { reference: text("reference", &fields.reference, 100)? }
            }
            "reschedule" => Decision::Reschedule {
                due_on: fields.due_on.ok_or_else(|| Invalid::new("due_on", Reason::Required))?,
                reason: text("reason", &fields.reason, 2000)?,
            },
            "done" => Decision::Done,
            "return_result" => Decision::ReturnResult {
                tracking_code: fields
                    .tracking_code
                    .map(|c| clean_text("tracking_code", &c, 1, 50, false))
                    .transpose()?,
            },
            _ => return Err(Invalid::new("decision", Reason::OneOf { allowed: DECISIONS })),
        };
        Ok(decision)
    }
}

/// Why a decision cannot be taken now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAllowed {
    /// Not from the dossier's current status.
    FromStatus(DossierStatus),
    /// A rescheduling must move the due date later.
    NotLater { due_on: NaiveDate },
    /// A due date before the day of receipt.
    DueBeforeToday,
}

/// Judges a decision against the dossier's current status and due date.
pub fn judge(
    decision: &Decision,
    current: DossierStatus,
    due_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), NotAllowed> {
    if !decision.allowed_from().contains(&current) {
        return Err(NotAllowed::FromStatus(current));
    }
    match decision {
        Decision::Reschedule { due_on: new, .. } if *new <= due_on => {
            Err(NotAllowed::NotLater { due_on })
        }
        Decision::Receive { due_on: Some(day) } if *day < today => Err(NotAllowed::DueBeforeToday),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DossierStatus::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn parse(fields: DecisionFields) -> Result<Decision, Invalid> {
        Decision::parse(fields, &["to-khai", "giay-chung-sinh"])
    }

    fn named(decision: &str) -> DecisionFields {
        DecisionFields { decision: decision.into(), ..DecisionFields::default() }
    }

    #[test]
    fn each_decision_is_taken_only_from_its_statuses() {
        let receive = Decision::Receive { due_on: None };
        assert_eq!(judge(&receive, Submitted, day(10), day(7)), Ok(()));
        assert_eq!(
            judge(&receive, Received, day(10), day(7)),
            Err(NotAllowed::FromStatus(Received))
        );
        let done = Decision::Done;
        for status in DossierStatus::ALL {
            let allowed = matches!(status, Received | Processing | PaymentRequired);
            assert_eq!(judge(&done, status, day(10), day(7)).is_ok(), allowed, "{status:?}");
        }
        let returned = Decision::ReturnResult { tracking_code: None };
        assert_eq!(judge(&returned, Done, day(10), day(7)), Ok(()));
        assert!(judge(&returned, Processing, day(10), day(7)).is_err());
        for closed in [RejectedAtIntake, Withdrawn, Stopped, ResultReturned] {
            for decision in [
                Decision::Refuse { reason: "x".into() },
                Decision::Done,
                Decision::Reschedule { due_on: day(20), reason: "x".into() },
            ] {
                assert!(judge(&decision, closed, day(10), day(7)).is_err(), "{closed:?}");
            }
        }
    }

    #[test]
    fn a_rescheduling_moves_the_due_date_later_and_a_receipt_not_into_the_past() {
        let later = Decision::Reschedule { due_on: day(15), reason: "Chờ xác minh".into() };
        assert_eq!(judge(&later, Processing, day(10), day(7)), Ok(()));
        let same = Decision::Reschedule { due_on: day(10), reason: "x".into() };
        assert_eq!(
            judge(&same, Processing, day(10), day(7)),
            Err(NotAllowed::NotLater { due_on: day(10) })
        );
        let past = Decision::Receive { due_on: Some(day(6)) };
        assert_eq!(judge(&past, Submitted, day(10), day(7)), Err(NotAllowed::DueBeforeToday));
        assert_eq!(later.status_after(Processing), Processing, "the status stays");
        assert_eq!(later.slip(), Some(SlipForm::Apology));
    }

    #[test]
    fn decisions_are_parsed_naming_the_missing_or_wrong_part() {
        assert_eq!(parse(named("done")), Ok(Decision::Done));
        assert_eq!(parse(named("refuse")).unwrap_err().field, "reason");
        assert_eq!(parse(named("sign")).unwrap_err().field, "decision");
        let mut request = named("request_documents");
        assert_eq!(parse(request.clone()).unwrap_err().field, "components");
        request.components = Some(vec!["to-khai".into(), "ho-chieu".into()]);
        assert_eq!(parse(request.clone()).unwrap_err().field, "components[1]");
        request.components = Some(vec!["to-khai".into(), "to-khai".into()]);
        assert_eq!(parse(request.clone()).unwrap_err().field, "components[1]");
        request.components = Some(vec!["giay-chung-sinh".into()]);
        request.working_days = Some(31);
        assert_eq!(parse(request.clone()).unwrap_err().field, "working_days");
        request.working_days = Some(5);
        request.reason = Some("Giấy chứng sinh bị mờ".into());
        assert_eq!(
            parse(request).unwrap(),
            Decision::RequestDocuments {
                components: vec!["giay-chung-sinh".into()],
                reason: "Giấy chứng sinh bị mờ".into(),
                working_days: 5,
            }
        );
        let mut pay = named("require_payment");
        pay.amount_vnd = Some(0);
        assert_eq!(parse(pay.clone()).unwrap_err().field, "amount_vnd");
        pay.amount_vnd = Some(1_200_000);
        pay.purpose = Some("Lệ phí cấp phép".into());
        assert_eq!(parse(pay).unwrap().note().unwrap(), "1.200.000 đồng: Lệ phí cấp phép");
    }

    #[test]
    fn slip_forms_keep_their_numbers() {
        for form in
            [SlipForm::Receipt, SlipForm::MoreDocuments, SlipForm::Refusal, SlipForm::Apology]
        {
            assert_eq!(SlipForm::from_number(form.number()), Some(form));
        }
        assert_eq!(SlipForm::from_number(5), None);
        assert_eq!(group_thousands(200_000), "200.000");
        assert_eq!(group_thousands(999), "999");
    }
}
