//! The background jobs of an instance: push and SMS workers, and on the periodic interval the orphan
//! photo sweep, the automatic close, the agencies' reminders and the stop of dossiers whose
//! documents did not come by their deadline. [`start`] is the one place
//! they are started; each runs as its own supervised task (restarted after a panic), and
//! [`Jobs::stop`] signals them all and waits for them to finish what they are doing.
//! A job's step that fails is logged and tried again at its next turn.

pub mod auto_close;
pub mod push;
pub mod reminders;
pub mod sms;
pub mod supplements;
pub mod sweeper;
pub mod webhooks;

use crate::adapters::storage::StoreError;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why a job's step failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The database, or a use case the job ran.
    #[error(transparent)]
    App(#[from] ApiError),
    #[error("photo store: {0}")]
    Store(#[from] StoreError),
}

/// The stop signal every job watches.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// Returns once the instance is stopping.
    pub async fn requested(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// The running jobs.
pub struct Jobs {
    stop: watch::Sender<bool>,
    tasks: Vec<(String, JoinHandle<()>)>,
}

/// How long [`Jobs::stop`] waits for a job to finish its step before it abandons it (a push
/// batch abandoned is claimed again when its lease runs out).
const STOP_GRACE: Duration = Duration::from_secs(30);
/// A job that panicked is started again after this, doubling up to [`MAX_RESTART_DELAY`].
const FIRST_RESTART_DELAY: Duration = Duration::from_secs(1);
const MAX_RESTART_DELAY: Duration = Duration::from_secs(60);

/// Starts this instance's jobs: `SMARTCITY_PUSH_WORKERS` push workers,
/// `SMARTCITY_SMS_WORKERS` SMS workers (and the recorder of an SMPP session's receipts), and the sweep, the
/// automatic close and the reminders every `SMARTCITY_SWEEP_INTERVAL_SECS`.
pub fn start(state: &AppState, receipts: Option<sms::Receipts>) -> Jobs {
    let mut jobs = Jobs::new();
    let shutdown = jobs.shutdown();
    let interval = state.config.sweep_interval;
    if state.fcm.is_none() && state.config.push_workers > 0 {
        tracing::warn!(
            "pushes are not sent: GOOGLE_APPLICATION_CREDENTIALS is not set; notifications stay \
             in the inbox and their pushes are marked skipped"
        );
    }
    for worker in 0..state.config.push_workers {
        jobs.supervise(format!("push-{worker}"), state, &shutdown, push::run);
    }
    for worker in 0..state.config.sms.workers {
        jobs.supervise(format!("sms-{worker}"), state, &shutdown, sms::run);
    }
    if let Some(receipts) = receipts {
        let context = (state.clone(), Arc::new(tokio::sync::Mutex::new(receipts)));
        jobs.supervise("sms-receipts".into(), &context, &shutdown, sms::record_receipts);
    }
    jobs.supervise("sweeper".into(), state, &shutdown, move |state, shutdown| {
        sweeper::run(state, shutdown, interval)
    });
    jobs.supervise("auto-close".into(), state, &shutdown, move |state, shutdown| {
        auto_close::run(state, shutdown, interval)
    });
    jobs.supervise("reminders".into(), state, &shutdown, move |state, shutdown| {
        reminders::run(state, shutdown, interval)
    });
    jobs.supervise("webhooks".into(), state, &shutdown, webhooks::run);
    jobs.supervise("supplement-deadlines".into(), state, &shutdown, move |state, shutdown| {
        supplements::run(state, shutdown, interval)
    });
    jobs
}

impl Jobs {
    fn new() -> Jobs {
        let (stop, _) = watch::channel(false);
        Jobs { stop, tasks: Vec::new() }
    }

    fn shutdown(&self) -> Shutdown {
        Shutdown(self.stop.subscribe())
    }

    /// Runs `job` with `context` until shutdown, starting it again if it panics.
    fn supervise<C, F, Fut>(&mut self, name: String, context: &C, shutdown: &Shutdown, job: F)
    where
        C: Clone + Send + 'static,
        F: Fn(C, Shutdown) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (context, mut shutdown) = (context.clone(), shutdown.clone());
        let task_name = name.clone();
        let task = tokio::spawn(async move {
            let mut delay = FIRST_RESTART_DELAY;
            loop {
                let mut running = AbortOnDrop(tokio::spawn(job(context.clone(), shutdown.clone())));
                match (&mut running.0).await {
                    Ok(()) => return,
                    Err(ended) if ended.is_panic() => {
                        tracing::error!(job = %task_name, ?delay, "job panicked; starting it again")
                    }
                    Err(_) => return,
                }
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.requested() => return,
                }
                delay = (delay * 2).min(MAX_RESTART_DELAY);
            }
        });
        self.tasks.push((name, task));
    }

    /// Signals every job to stop and waits for them (each at most [`STOP_GRACE`]).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for (name, task) in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_GRACE, task).await.is_err() {
                tracing::warn!(job = %name, "job did not stop in time; abandoned");
                abort.abort();
            }
        }
    }
}

/// A job's task, ended with its supervisor: an abandoned job does not run on unwatched.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `step` every `interval` (the first at once) until shutdown; a step in progress is
/// finished first.
async fn every<F, Fut>(interval: Duration, mut shutdown: Shutdown, mut step: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticker = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticker.tick() => step().await,
            _ = shutdown.requested() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn a_job_that_panics_is_started_again_and_all_stop_on_the_signal() {
        let mut jobs = Jobs::new();
        let shutdown = jobs.shutdown();
        let starts = Arc::new(AtomicUsize::new(0));
        jobs.supervise("flaky".into(), &starts, &shutdown, |starts, mut shutdown| async move {
            if starts.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("the first run fails");
            }
            shutdown.requested().await;
        });
        let steps = Arc::new(AtomicUsize::new(0));
        jobs.supervise("ticking".into(), &steps, &shutdown, |steps, shutdown| async move {
            every(Duration::from_secs(60), shutdown, || {
                steps.fetch_add(1, Ordering::SeqCst);
                async {}
            })
            .await
        });
        tokio::time::sleep(FIRST_RESTART_DELAY * 2).await;
        assert_eq!(starts.load(Ordering::SeqCst), 2, "started again after its panic");
        tokio::time::sleep(Duration::from_secs(150)).await;
        assert_eq!(steps.load(Ordering::SeqCst), 3, "at once, then every minute");
        tokio::time::timeout(Duration::from_secs(1), jobs.stop()).await.expect("all stop at once");
    }
}
