//! How a dossier is shown: to the citizen who proved it (masked name, no phone) and to the
//! agency that owns it (everything).

use super::utc;
use crate::app::dossiers::{deadline_of, today};
use crate::app::state::AppState;
use chrono::NaiveDate;
use serde::Serialize;
use smartcity_db::dossiers::{DossierDetail, DossierRow, EventRow, SlipRow};
use smartcity_db::online_dossiers::DossierFileRow;
use smartcity_domain::application::Application;
use smartcity_domain::decision::SlipForm;
use smartcity_domain::dossier::{
    mask_name, Deadline, DossierChannel, DossierOrigin, DossierStatus,
};
use smartcity_domain::procedure::FileType;

#[derive(Debug, Serialize)]
pub struct StatusView {
    code: i32,
    label: &'static str,
    label_en: &'static str,
}

pub fn status_view(code: i32) -> StatusView {
    match DossierStatus::from_code(code) {
        Some(status) => StatusView { code, label: status.label_vi(), label_en: status.label_en() },
        None => StatusView { code, label: "", label_en: "" },
    }
}

#[derive(Debug, Serialize)]
pub struct TimelineStep {
    status: StatusView,
    step: Option<String>,
    department: Option<String>,
    officer: Option<String>,
    note: Option<String>,
    occurred_at: String,
}

#[derive(Debug, Serialize)]
pub struct ProcedureRef {
    pub code: String,
    pub name: String,
}

/// What a citizen sees of a dossier they proved.
#[derive(Debug, Serialize)]
pub struct CitizenDossier {
    code: String,
    procedure: ProcedureRef,
    agency_name: String,
    applicant_name: String,
    status: StatusView,
    received_on: NaiveDate,
    due_on: NaiveDate,
    finished_on: Option<NaiveDate>,
    #[serde(flatten)]
    deadline: Deadline,
    /// While no one has received it (status 1): the working days it has waited so far.
    waiting_working_days: Option<i64>,
    timeline: Vec<TimelineStep>,
    /// The agency's slips (receipt, request, refusal, apology), to download.
    slips: Vec<SlipView>,
    /// Where to download the result document, once the agency attached it.
    result_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SlipView {
    id: String,
    /// Circular 01/2018/TT-VPCP's form number, 1–4.
    form: i32,
    title: &'static str,
    created_at: String,
    url: String,
}

fn slip_views(slips: Vec<SlipRow>, base: &str) -> Vec<SlipView> {
    slips
        .into_iter()
        .map(|slip| SlipView {
            url: format!("{base}/{}/slips/{}", slip.dossier_code, slip.id),
            title: SlipForm::from_number(slip.form).map_or("", SlipForm::title_vi),
            form: slip.form,
            created_at: utc(slip.created_at),
            id: slip.id,
        })
        .collect()
}

fn timeline(events: Vec<EventRow>) -> Vec<TimelineStep> {
    events
        .into_iter()
        .map(|e| TimelineStep {
            status: status_view(e.status),
            step: e.step,
            department: e.department,
            officer: e.officer,
            note: e.note,
            occurred_at: utc(e.occurred_at),
        })
        .collect()
}

pub fn citizen_view(state: &AppState, detail: DossierDetail) -> CitizenDossier {
    let DossierDetail { dossier, procedure_name, agency_name, events, slips, result_attached_at } =
        detail;
    let procedure = ProcedureRef { code: dossier.procedure_code.clone(), name: procedure_name };
    CitizenDossier {
        deadline: deadline_of(state, &dossier),
        waiting_working_days: (dossier.status == DossierStatus::Submitted.code())
            .then(|| state.config.calendar.working_days_between(dossier.received_on, today())),
        applicant_name: mask_name(&dossier.applicant_name),
        status: status_view(dossier.status),
        timeline: timeline(events),
        slips: slip_views(slips, "/v1/dossiers"),
        result_url: result_attached_at.map(|_| format!("/v1/dossiers/{}/result", dossier.code)),
        code: dossier.code,
        procedure,
        agency_name,
        received_on: dossier.received_on,
        due_on: dossier.due_on,
        finished_on: dossier.finished_on,
    }
}

/// What the owning agency sees.
#[derive(Debug, Serialize)]
pub struct AgencyDossier {
    code: String,
    procedure_code: String,
    applicant_name: String,
    applicant_phone: String,
    status: StatusView,
    status_at: String,
    received_on: NaiveDate,
    due_on: NaiveDate,
    finished_on: Option<NaiveDate>,
    channel: DossierChannel,
    origin: DossierOrigin,
    #[serde(flatten)]
    deadline: Deadline,
    created_at: String,
    updated_at: String,
}

pub fn agency_view(state: &AppState, dossier: DossierRow) -> AgencyDossier {
    AgencyDossier {
        deadline: deadline_of(state, &dossier),
        status: status_view(dossier.status),
        status_at: utc(dossier.status_at),
        created_at: utc(dossier.created_at),
        updated_at: utc(dossier.updated_at),
        code: dossier.code,
        procedure_code: dossier.procedure_code,
        applicant_name: dossier.applicant_name,
        applicant_phone: dossier.applicant_phone,
        received_on: dossier.received_on,
        due_on: dossier.due_on,
        finished_on: dossier.finished_on,
        channel: dossier.channel,
        origin: dossier.origin,
    }
}

/// The media type a stored dossier file is served as.
pub fn media_type(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Pdf => "application/pdf",
        FileType::Jpeg => "image/jpeg",
        FileType::Png => "image/png",
    }
}

#[derive(Debug, Serialize)]
pub struct FileView {
    id: String,
    component: String,
    file_type: FileType,
    byte_size: i64,
    sha256: String,
    uploaded_at: String,
    /// Downloadable with the agency's key.
    url: String,
}

#[derive(Debug, Serialize)]
pub struct SubmittedDossier {
    dossier: AgencyDossier,
    procedure_name: String,
    timeline: Vec<TimelineStep>,
    slips: Vec<SlipView>,
    /// What the citizen submitted online; absent for a dossier the agency's system sent.
    application: Option<Application>,
    files: Vec<FileView>,
}

/// What the owning agency sees of one dossier: everything, with what was submitted online.
pub fn submitted_view(
    state: &AppState,
    detail: DossierDetail,
    submitted: Option<(Application, Vec<DossierFileRow>)>,
) -> SubmittedDossier {
    let DossierDetail { dossier, procedure_name, events, slips, .. } = detail;
    let (application, files) = match submitted {
        Some((application, files)) => (Some(application), files),
        None => (None, Vec::new()),
    };
    let files = files
        .into_iter()
        .map(|f| FileView {
            url: format!("/v1/agency/dossiers/{}/files/{}", f.dossier_code, f.id),
            id: f.id,
            component: f.component_code,
            file_type: f.file_type,
            byte_size: f.byte_size,
            sha256: f.sha256,
            uploaded_at: utc(f.uploaded_at),
        })
        .collect();
    SubmittedDossier {
        dossier: agency_view(state, dossier),
        procedure_name,
        timeline: timeline(events),
        slips: slip_views(slips, "/v1/agency/dossiers"),
        application,
        files,
    }
}
