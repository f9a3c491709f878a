//! How a dossier is shown: to the citizen who proved it (masked name, no phone) and to the
//! agency that owns it (everything).

use super::utc;
use crate::app::dossiers::deadline_of;
use crate::app::state::AppState;
use chrono::NaiveDate;
use serde::Serialize;
use smartcity_db::dossiers::{DossierDetail, DossierRow};
use smartcity_domain::dossier::{mask_name, Deadline, DossierChannel, DossierStatus};

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
    timeline: Vec<TimelineStep>,
}

pub fn citizen_view(state: &AppState, detail: DossierDetail) -> CitizenDossier {
    let DossierDetail { dossier, procedure_name, agency_name, events } = detail;
    let procedure = ProcedureRef { code: dossier.procedure_code.clone(), name: procedure_name };
    CitizenDossier {
        deadline: deadline_of(state, &dossier),
        applicant_name: mask_name(&dossier.applicant_name),
        status: status_view(dossier.status),
        timeline: events
            .into_iter()
            .map(|e| TimelineStep {
                status: status_view(e.status),
                step: e.step,
                department: e.department,
                officer: e.officer,
                note: e.note,
                occurred_at: utc(e.occurred_at),
            })
            .collect(),
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
    #[serde(flatten)]
    deadline: Deadline,
    updated_at: String,
}

pub fn agency_view(state: &AppState, dossier: DossierRow) -> AgencyDossier {
    AgencyDossier {
        deadline: deadline_of(state, &dossier),
        status: status_view(dossier.status),
        status_at: utc(dossier.status_at),
        updated_at: utc(dossier.updated_at),
        code: dossier.code,
        procedure_code: dossier.procedure_code,
        applicant_name: dossier.applicant_name,
        applicant_phone: dossier.applicant_phone,
        received_on: dossier.received_on,
        due_on: dossier.due_on,
        finished_on: dossier.finished_on,
        channel: dossier.channel,
    }
}
