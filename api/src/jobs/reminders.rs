//! The reminder job (nhắc việc): tells an agency's staff of each complaint and dossier due
//! within `SMARTCITY_REMIND_BEFORE_HOURS`, of each that has become overdue (once), of each
//! online dossier no one has received after a whole working day (once), and once a day of
//! everything still overdue (by SMS as well for agencies that chose it). Runs with the periodic job on every instance; the markers
//! it sets make each reminder go out once.

use super::{every, JobError, Shutdown};
use crate::app::sms;
use crate::app::state::AppState;
use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};
use smartcity_db::places;
use smartcity_db::reminders::{self, Digest};
use smartcity_domain::dossier::unreceived_notice;
use smartcity_domain::reminder::{
    digest_notice, reminder_notice, vietnam_date, vietnam_offset, Reminder, Subject,
};
use std::time::Duration;

/// Gives the reminders due at `now`; returns how many went out.
pub async fn remind(state: &AppState, now: DateTime<Utc>) -> Result<usize, JobError> {
    let window = TimeDelta::from_std(state.config.remind_before).unwrap_or(TimeDelta::hours(24));
    let at = now.naive_utc();
    let today = vietnam_date(now);
    // Retired categories too: complaints filed under them are still due.
    let categories: Vec<_> =
        state.db(places::all_categories).await?.into_iter().map(|c| c.category).collect();
    let mut sent = 0;

    for (reminder, from, to) in
        [(Reminder::DueSoon, Some(at), at + window), (Reminder::Overdue, None, at)]
    {
        let due = state.db(move |conn| reminders::complaints_due(conn, reminder, from, to)).await?;
        for complaint in due {
            let Some(category) = categories.iter().find(|c| c.code == complaint.category_code)
            else {
                continue;
            };
            let subject = Subject::Complaint {
                id: &complaint.id,
                category,
                due_at: complaint.due_at.and_utc(),
            };
            let notice = reminder_notice(reminder, &subject);
            if state
                .db(move |conn| {
                    reminders::remind_complaint(conn, &complaint, reminder, &notice, at)
                })
                .await?
            {
                sent += 1;
            }
        }
    }

    // A dossier is due at the end of its due day, Vietnam time.
    let last_day_due_soon = vietnam_date(now + window);
    let yesterday = today - Days::new(1);
    for (reminder, after, by) in [
        (Reminder::DueSoon, Some(yesterday), last_day_due_soon),
        (Reminder::Overdue, None, yesterday),
    ] {
        let due = state.db(move |conn| reminders::dossiers_due(conn, reminder, after, by)).await?;
        for dossier in due {
            let subject = Subject::Dossier {
                code: &dossier.code,
                procedure: &dossier.procedure_name,
                due_on: dossier.due_on,
            };
            let notice = reminder_notice(reminder, &subject);
            if state
                .db(move |conn| reminders::remind_dossier(conn, &dossier, reminder, &notice, at))
                .await?
            {
                sent += 1;
            }
        }
    }

    // Online dossiers no one has received after a whole working day: the citizen is waiting.
    let submitted_by = state.config.calendar.waited_since(today, 1);
    let waiting = state.db(move |conn| reminders::unreceived(conn, submitted_by)).await?;
    for dossier in waiting {
        let notice = unreceived_notice(&dossier.code, &dossier.procedure_name);
        if state.db(move |conn| reminders::remind_unreceived(conn, &dossier, &notice, at)).await? {
            sent += 1;
        }
    }

    // The digest counts what was announced overdue before today: today's have their own notice.
    let start_of_today = today
        .and_time(NaiveTime::MIN)
        .and_local_timezone(vietnam_offset())
        .single()
        .map(|t| t.naive_utc())
        .unwrap_or(at);
    let counts = state.db(move |conn| reminders::overdue_counts(conn, start_of_today)).await?;
    for (agency_id, complaints, dossiers) in counts {
        let digest = Digest {
            notice: digest_notice(complaints, dossiers, today),
            overdue: u32::try_from(complaints + dossiers).unwrap_or(u32::MAX),
            texting: sms::texting(state),
        };
        if state
            .db(move |conn| reminders::send_digest(conn, &agency_id, today, &digest, at))
            .await?
        {
            sent += 1;
        }
    }
    if sent > 0 {
        state.pushes_queued();
        state.sms_queued();
    }
    Ok(sent)
}

/// Reminds every `interval` until shutdown.
pub async fn run(state: AppState, shutdown: Shutdown, interval: Duration) {
    every(interval, shutdown, || async {
        match remind(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "reminders sent to agencies"),
            Err(error) => tracing::warn!(%error, "reminders failed; will retry"),
        }
    })
    .await
}
