//! The SMPP 3.4 gateway: one supervised transceiver session to an operator's SMSC.
//!
//! The PDUs and their framing are rusmpp's; the session is ours: bind, a window of `submit_sm`
//! in flight, `enquire_link` keep-alive, receipts, reconnection with backoff. A sender
//! ([`SmppGateway::send`]) hands its PDU to the session task through a channel bounded by the
//! window and waits, bounded by `response_timeout`, for the `submit_sm_resp`.

use crate::split::payloads;
use crate::{e164_digits, receipt, Accepted, Incoming, OutgoingSms, SendError};
use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiver, DeliverSmResp, SubmitSm};
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{
    DataCoding, EsmClass, InterfaceVersion, Npi, RegisteredDelivery, ServiceType, Ton,
};
use rusmpp::{Command, CommandId, CommandStatus, Pdu};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch, Semaphore};
use tokio::time::{sleep, sleep_until, timeout, Instant};
use tokio_util::codec::Framed;

/// How to reach and bind to the SMSC. [`SmppConfig::new`] fills in the defaults shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmppConfig {
    pub host: String,
    pub port: u16,
    /// At most 15 characters (SMPP 3.4).
    pub system_id: String,
    /// At most 8 characters (SMPP 3.4).
    pub password: String,
    /// Often empty; some operators want e.g. `SMPP`. Default empty.
    pub system_type: String,
    /// The sender shown on handsets: the registered brandname.
    pub source_addr: String,
    /// Default 5 (alphanumeric), as a brandname is.
    pub source_ton: u8,
    /// Default 0 (unknown).
    pub source_npi: u8,
    /// Default 30 s.
    pub enquire_link_interval: Duration,
    /// How long to wait for any answer (`bind_transceiver_resp`, `submit_sm_resp`,
    /// `enquire_link_resp`) and for a place in the window. Default 10 s.
    pub response_timeout: Duration,
    /// Default 10 s.
    pub connect_timeout: Duration,
    /// `submit_sm` in flight at once. Default 10.
    pub window: usize,
    /// First wait before reconnecting; doubles after each failure up to `reconnect_max`.
    /// Default 1 s.
    pub reconnect_min: Duration,
    /// Default 60 s.
    pub reconnect_max: Duration,
    /// Delivery reports held for the consumer before the SMSC is told to retry. Default 1024.
    pub receipt_buffer: usize,
}

impl SmppConfig {
    pub fn new(
        host: impl Into<String>,
        port: u16,
        system_id: impl Into<String>,
        password: impl Into<String>,
        source_addr: impl Into<String>,
    ) -> SmppConfig {
        SmppConfig {
            host: host.into(),
            port,
            system_id: system_id.into(),
            password: password.into(),
            system_type: String::new(),
            source_addr: source_addr.into(),
            source_ton: 5,
            source_npi: 0,
            enquire_link_interval: Duration::from_secs(30),
            response_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            window: 10,
            reconnect_min: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            receipt_buffer: 1024,
        }
    }
}

/// The handle senders use. Cheap to clone; when the last clone is dropped (or on
/// [`SmppGateway::shutdown`]) the session sends `unbind` and its task ends.
#[derive(Clone)]
pub struct SmppGateway {
    inner: Arc<Handle>,
}

impl std::fmt::Debug for SmppGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmppGateway")
            .field("host", &self.inner.core.config.host)
            .field("port", &self.inner.core.config.port)
            .field("bound", &self.is_bound())
            .finish()
    }
}

struct Handle {
    core: Arc<Core>,
    /// Dropping it (with the last handle) is the session task's signal to unbind and stop.
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// What the session task and the senders share.
struct Core {
    config: SmppConfig,
    /// Set while a session is bound: where senders hand their PDUs.
    link: Mutex<Option<mpsc::Sender<Submit>>>,
    window: Semaphore,
    /// Concatenated messages' reference numbers.
    next_reference: AtomicU8,
}

struct Submit {
    pdu: SubmitSm,
    reply: oneshot::Sender<Result<String, CommandStatus>>,
}

impl SmppGateway {
    /// Spawns the session task (on the current tokio runtime) and returns at once; the first
    /// bind happens in the background. Delivery reports and people's replies arrive on the
    /// receiver: when it is full the SMSC's `deliver_sm` is answered `ESME_RMSGQFUL` so that the
    /// SMSC delivers it again later (nothing is buffered beyond `receipt_buffer`); when it has
    /// been dropped they are acknowledged and discarded.
    pub fn start(config: SmppConfig) -> (SmppGateway, mpsc::Receiver<Incoming>) {
        let (reports_tx, reports_rx) = mpsc::channel(config.receipt_buffer.max(1));
        let core = Arc::new(Core {
            window: Semaphore::new(config.window.max(1)),
            config,
            link: Mutex::new(None),
            next_reference: AtomicU8::new(1),
        });
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(supervise(core.clone(), stop_rx, reports_tx));
        let handle = Handle { core, stop, task: Mutex::new(Some(task)) };
        (SmppGateway { inner: Arc::new(handle) }, reports_rx)
    }

    /// Whether a session is bound right now.
    pub fn is_bound(&self) -> bool {
        self.inner.core.link.lock().unwrap().is_some()
    }

    /// Unbinds and waits (at most `response_timeout` and a second) for the session task to end.
    /// Later sends fail with `Temporary`.
    pub async fn shutdown(&self) {
        let _ = self.inner.stop.send(true);
        let task = self.inner.task.lock().unwrap().take();
        if let Some(task) = task {
            let limit = self.inner.core.config.response_timeout + Duration::from_secs(1);
            if timeout(limit, task).await.is_err() {
                tracing::warn!("SMPP session did not stop in time");
            }
        }
    }

    /// Submits the message, as concatenated parts when it is long (one after the other, each
    /// waiting for its `submit_sm_resp`). The provider id is the first part's `message_id`;
    /// the SMSC's receipts for the other parts carry ids nobody asked for. If a later part
    /// fails the whole message is reported failed, and a retry sends every part again.
    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let core = &self.inner.core;
        let config = &core.config;
        let destination = e164_digits(&sms.to)?;
        let reference = core.next_reference.fetch_add(1, Ordering::Relaxed);
        let payloads = payloads(&sms.text, sms.encoding, reference)?;
        let template = submit_template(config, destination, payloads.data_coding, payloads.udhi)?;
        let mut first_id = None;
        for part in payloads.parts {
            let short_message = OctetString::from_vec(part)
                .map_err(|e| SendError::Permanent(format!("part too long: {e}")))?;
            let pdu = template.clone().with_short_message(short_message);
            let message_id = self.submit(pdu).await?;
            first_id.get_or_insert(message_id);
        }
        let provider_id = first_id.unwrap_or_default();
        Ok(Accepted { provider_id })
    }

    async fn submit(&self, pdu: SubmitSm) -> Result<String, SendError> {
        let core = &self.inner.core;
        let wait = core.config.response_timeout;
        // Fail fast when no session is bound: the outbox retries later, nothing queues here.
        link(core)?;
        let _permit = timeout(wait, core.window.acquire())
            .await
            .map_err(|_| SendError::Temporary("SMPP window full".into()))?
            .map_err(|_| SendError::Temporary("SMPP gateway stopped".into()))?;
        let link = link(core)?;
        let (reply, answer) = oneshot::channel();
        link.try_send(Submit { pdu, reply }).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => SendError::Temporary("SMPP session busy".into()),
            mpsc::error::TrySendError::Closed(_) => {
                SendError::Temporary("SMPP link went down".into())
            }
        })?;
        match timeout(wait, answer).await {
            Err(_) => Err(SendError::Temporary(format!("no submit_sm_resp within {wait:?}"))),
            Ok(Err(_)) => Err(SendError::Temporary("SMPP link lost before submit_sm_resp".into())),
            Ok(Ok(Ok(message_id))) => Ok(message_id),
            Ok(Ok(Err(status))) => Err(classify(status)),
        }
    }
}

fn link(core: &Core) -> Result<mpsc::Sender<Submit>, SendError> {
    core.link
        .lock()
        .unwrap()
        .clone()
        .ok_or_else(|| SendError::Temporary("SMPP link is down".into()))
}

/// Statuses worth retrying: the SMSC is busy or broken, not the message.
fn classify(status: CommandStatus) -> SendError {
    let code = u32::from(status);
    let text = format!("submit_sm refused: {status:?} (0x{code:08X})");
    match status {
        CommandStatus::EsmeRthrottled
        | CommandStatus::EsmeRmsgqful
        | CommandStatus::EsmeRsyserr
        | CommandStatus::EsmeRsubmitfail
        | CommandStatus::EsmeRinvbndsts
        | CommandStatus::EsmeRxTAppn
        | CommandStatus::Other(_) => SendError::Temporary(text),
        _ => SendError::Permanent(text),
    }
}

fn submit_template(
    config: &SmppConfig,
    destination: &str,
    data_coding: u8,
    udhi: bool,
) -> Result<SubmitSm, SendError> {
    let source = COctetString::from_str(&config.source_addr)
        .map_err(|e| SendError::Permanent(format!("invalid source address: {e}")))?;
    let destination = COctetString::from_str(destination)
        .map_err(|e| SendError::Permanent(format!("invalid destination: {e}")))?;
    let esm_class = EsmClass::from(if udhi { 0x40 } else { 0x00 });
    Ok(SubmitSm::builder()
        .service_type(ServiceType::default())
        .source_addr_ton(Ton::from(config.source_ton))
        .source_addr_npi(Npi::from(config.source_npi))
        .source_addr(source)
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(destination)
        .esm_class(esm_class)
        // SMSC delivery receipt requested, success or failure.
        .registered_delivery(RegisteredDelivery::from(0x01))
        .data_coding(DataCoding::from(data_coding))
        .build())
}

/// Connects, runs a session until it fails, waits, again; until stopped.
async fn supervise(
    core: Arc<Core>,
    mut stop: watch::Receiver<bool>,
    reports: mpsc::Sender<Incoming>,
) {
    let config = &core.config;
    let mut backoff = config.reconnect_min;
    loop {
        let outcome = session(&core, &mut stop, &reports).await;
        *core.link.lock().unwrap() = None;
        match outcome {
            Ended::Stopped => break,
            Ended::Failed { error, was_bound } => {
                if was_bound {
                    backoff = config.reconnect_min;
                }
                tracing::warn!(host = %config.host, port = config.port, %error, retry_in = ?backoff, "SMPP session ended");
            }
        }
        tokio::select! {
            _ = sleep(backoff) => {}
            _ = stopped(&mut stop) => break,
        }
        backoff = (backoff * 2).min(config.reconnect_max);
    }
    tracing::info!(host = %config.host, port = config.port, "SMPP gateway stopped");
}

/// Resolves when the gateway is stopped or every handle dropped.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

enum Ended {
    Stopped,
    Failed { error: String, was_bound: bool },
}

type Link = Framed<TcpStream, CommandCodec>;

/// Sequence numbers run 1..=0x7FFFFFFF (SMPP 3.4 5.1.4) and wrap.
struct Sequence(u32);

impl Sequence {
    fn next(&mut self) -> u32 {
        self.0 = if self.0 >= 0x7FFF_FFFF { 1 } else { self.0 + 1 };
        self.0
    }
}

async fn session(
    core: &Core,
    stop: &mut watch::Receiver<bool>,
    reports: &mpsc::Sender<Incoming>,
) -> Ended {
    let config = &core.config;
    let failed = |error: String| Ended::Failed { error, was_bound: false };
    let address = (config.host.as_str(), config.port);
    let stream = tokio::select! {
        connected = timeout(config.connect_timeout, TcpStream::connect(address)) => match connected {
            Err(_) => return failed("connect timed out".into()),
            Ok(Err(e)) => return failed(format!("connect: {e}")),
            Ok(Ok(stream)) => stream,
        },
        _ = stopped(stop) => return Ended::Stopped,
    };
    let _ = stream.set_nodelay(true);
    let mut framed = Framed::new(stream, CommandCodec::new());
    let mut sequence = Sequence(0);
    tokio::select! {
        bound = bind(config, &mut framed, &mut sequence) => if let Err(error) = bound {
            return failed(error);
        },
        _ = stopped(stop) => return Ended::Stopped,
    }
    tracing::info!(host = %config.host, port = config.port, system_id = %config.system_id, "SMPP bound as transceiver");

    let (submits_tx, mut submits) = mpsc::channel::<Submit>(config.window.max(1));
    *core.link.lock().unwrap() = Some(submits_tx);
    let failed = |error: String| Ended::Failed { error, was_bound: true };
    // submit_sm awaiting their resp, by sequence number; dropped with the session, which
    // tells their senders the link was lost.
    let mut pending: HashMap<u32, oneshot::Sender<Result<String, CommandStatus>>> = HashMap::new();
    let mut next_enquire = Instant::now() + config.enquire_link_interval;
    let mut enquire_deadline: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = stopped(stop) => {
                unbind(config, &mut framed, &mut sequence).await;
                return Ended::Stopped;
            }
            Some(submit) = submits.recv() => {
                if submit.reply.is_closed() {
                    continue; // its sender gave up waiting for the window
                }
                let seq = sequence.next();
                if let Err(e) = framed.send(Command::new(CommandStatus::EsmeRok, seq, submit.pdu)).await {
                    return failed(format!("write: {e}"));
                }
                pending.insert(seq, submit.reply);
            }
            _ = sleep_until(next_enquire) => {
                // Senders that timed out do not wait for an answer any more.
                pending.retain(|_, reply| !reply.is_closed());
                next_enquire = Instant::now() + config.enquire_link_interval;
                if enquire_deadline.is_none() {
                    enquire_deadline = Some(Instant::now() + config.response_timeout);
                    if let Err(e) = framed.send(Command::new(CommandStatus::EsmeRok, sequence.next(), Pdu::EnquireLink)).await {
                        return failed(format!("write: {e}"));
                    }
                }
            }
            _ = sleep_until(enquire_deadline.unwrap_or(next_enquire)), if enquire_deadline.is_some() => {
                return failed("no enquire_link_resp: link dead".into());
            }
            frame = framed.next() => {
                let command = match frame {
                    None => return failed("closed by the SMSC".into()),
                    Some(Err(e)) => return failed(format!("unreadable PDU: {e}")),
                    Some(Ok(command)) => command,
                };
                match on_command(command, &mut framed, &mut pending, reports).await {
                    Ok(Next::Continue) => {}
                    Ok(Next::Alive) => enquire_deadline = None,
                    Ok(Next::Unbound) => return failed("the SMSC unbound".into()),
                    Err(error) => return failed(error),
                }
            }
        }
    }
}

async fn bind(
    config: &SmppConfig,
    framed: &mut Link,
    sequence: &mut Sequence,
) -> Result<(), String> {
    fn text<const N: usize>(value: &str, what: &str) -> Result<COctetString<1, N>, String> {
        COctetString::from_str(value).map_err(|e| format!("invalid {what} for bind: {e}"))
    }
    let pdu = BindTransceiver::builder()
        .system_id(text(&config.system_id, "system_id")?)
        .password(text(&config.password, "password")?)
        .system_type(text(&config.system_type, "system_type")?)
        .interface_version(InterfaceVersion::Smpp3_4)
        .addr_ton(Ton::Unknown)
        .addr_npi(Npi::Unknown)
        .build();
    let seq = sequence.next();
    framed
        .send(Command::new(CommandStatus::EsmeRok, seq, pdu))
        .await
        .map_err(|e| format!("write: {e}"))?;
    let answer = timeout(config.response_timeout, async {
        loop {
            match framed.next().await {
                None => return Err("closed by the SMSC during bind".to_string()),
                Some(Err(e)) => return Err(format!("unreadable PDU during bind: {e}")),
                Some(Ok(command)) if command.sequence_number() == seq => return Ok(command),
                // An SMSC may probe before answering; anything else before the bind is noise.
                Some(Ok(command)) if command.id() == CommandId::EnquireLink => {
                    let resp = Command::new(
                        CommandStatus::EsmeRok,
                        command.sequence_number(),
                        Pdu::EnquireLinkResp,
                    );
                    framed.send(resp).await.map_err(|e| format!("write: {e}"))?;
                }
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .map_err(|_| "no bind_transceiver_resp".to_string())??;
    if answer.id() != CommandId::BindTransceiverResp && answer.id() != CommandId::GenericNack {
        return Err(format!("unexpected answer to bind: {:?}", answer.id()));
    }
    if answer.status() != CommandStatus::EsmeRok {
        return Err(format!("bind refused: {:?}", answer.status()));
    }
    Ok(())
}

/// Best effort: the session ends whatever the SMSC answers.
async fn unbind(config: &SmppConfig, framed: &mut Link, sequence: &mut Sequence) {
    let seq = sequence.next();
    if framed.send(Command::new(CommandStatus::EsmeRok, seq, Pdu::Unbind)).await.is_err() {
        return;
    }
    let _ = timeout(config.response_timeout, async {
        while let Some(Ok(command)) = framed.next().await {
            if command.id() == CommandId::UnbindResp {
                break;
            }
        }
    })
    .await;
}

enum Next {
    Continue,
    /// The SMSC answered our enquire_link.
    Alive,
    Unbound,
}

async fn on_command(
    command: Command,
    framed: &mut Link,
    pending: &mut HashMap<u32, oneshot::Sender<Result<String, CommandStatus>>>,
    reports: &mpsc::Sender<Incoming>,
) -> Result<Next, String> {
    let seq = command.sequence_number();
    let write = |e: rusmpp::tokio_codec::EncodeError| format!("write: {e}");
    match command.id() {
        CommandId::SubmitSmResp => {
            if let Some(reply) = pending.remove(&seq) {
                let outcome = match (command.status(), command.pdu()) {
                    (CommandStatus::EsmeRok, Some(Pdu::SubmitSmResp(resp))) => {
                        Ok(resp.message_id().as_str().to_string())
                    }
                    (CommandStatus::EsmeRok, _) => Err(CommandStatus::EsmeRsyserr),
                    (status, _) => Err(status),
                };
                let _ = reply.send(outcome);
            }
        }
        CommandId::GenericNack => {
            // A nack of one of our submits fails it; of anything else, is only logged.
            match pending.remove(&seq) {
                Some(reply) => {
                    let _ = reply.send(Err(command.status()));
                }
                None => tracing::warn!(seq, status = ?command.status(), "SMPP generic_nack"),
            }
        }
        CommandId::DeliverSm => {
            let mut status = CommandStatus::EsmeRok;
            if let Some(Pdu::DeliverSm(deliver)) = command.pdu() {
                let incoming = match receipt::parse(deliver) {
                    Some(report) => Incoming::Report(report),
                    None => Incoming::Reply(receipt::reply(deliver)),
                };
                match reports.try_send(incoming) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        // The SMSC keeps it and delivers it again later.
                        tracing::warn!("SMPP incoming buffer full; SMSC asked to retry");
                        status = CommandStatus::EsmeRmsgqful;
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
            let resp = Command::new(status, seq, DeliverSmResp::default());
            framed.send(resp).await.map_err(write)?;
        }
        CommandId::EnquireLink => {
            let resp = Command::new(CommandStatus::EsmeRok, seq, Pdu::EnquireLinkResp);
            framed.send(resp).await.map_err(write)?;
        }
        CommandId::EnquireLinkResp => return Ok(Next::Alive),
        CommandId::Unbind => {
            let resp = Command::new(CommandStatus::EsmeRok, seq, Pdu::UnbindResp);
            framed.send(resp).await.map_err(write)?;
            return Ok(Next::Unbound);
        }
        id if is_request(id) => {
            // Requests a transceiver ESME does not serve (query_sm to us, data_sm, …).
            let nack = Command::new(CommandStatus::EsmeRinvcmdid, seq, Pdu::GenericNack);
            framed.send(nack).await.map_err(write)?;
        }
        id => tracing::debug!(?id, seq, "unexpected SMPP response ignored"),
    }
    Ok(Next::Continue)
}

/// Responses have the high bit of command_id set.
fn is_request(id: CommandId) -> bool {
    u32::from(id) & 0x8000_0000 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert!(classify(CommandStatus::EsmeRthrottled).is_temporary());
        assert!(classify(CommandStatus::EsmeRmsgqful).is_temporary());
        assert!(classify(CommandStatus::EsmeRsyserr).is_temporary());
        assert!(classify(CommandStatus::Other(0x400)).is_temporary());
        assert!(!classify(CommandStatus::EsmeRinvdstadr).is_temporary());
        assert!(!classify(CommandStatus::EsmeRinvsrcadr).is_temporary());
        assert!(!classify(CommandStatus::EsmeRinvmsglen).is_temporary());
    }

    #[test]
    fn sequence_wraps() {
        let mut s = Sequence(0x7FFF_FFFE);
        assert_eq!(s.next(), 0x7FFF_FFFF);
        assert_eq!(s.next(), 1);
    }
}
