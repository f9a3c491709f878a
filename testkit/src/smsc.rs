//! An SMSC simulator speaking SMPP 3.4 over TCP on 127.0.0.1, with rusmpp's codec (the one
//! the gateway uses for PDUs; the text decoding here is this file's own, so a wrong alphabet
//! on the gateway's side shows).
//!
//! ```ignore
//! let smsc = FakeSmsc::start("esme", "secret").await;
//! let config = SmppConfig::new("127.0.0.1", smsc.port(), "esme", "secret", "SMARTCITY");
//! // ... send ...
//! let got = smsc.wait_for_messages(1, Duration::from_secs(5)).await;
//! assert_eq!(got[0].text, "Hồ sơ đã có kết quả");
//! ```
//!
//! It accepts `bind_transceiver` (and transmitter/receiver) with the configured credentials
//! (`ESME_RINVPASWD` otherwise), answers `submit_sm` with increasing message ids, reassembles
//! concatenated parts (UDH IEI 0x00 or 0x08) into one [`ReceivedSms`], answers `enquire_link`
//! and `unbind`, and sends a delivery receipt `deliver_sm` for each accepted part, as
//! [`FakeSmsc::set_receipts`] says. Receipts are per connection: one whose connection is gone
//! when it is due is lost (a real SMSC would keep it).

use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{
    BindReceiverResp, BindTransceiverResp, BindTransmitterResp, DeliverSm, SubmitSm, SubmitSmResp,
};
use rusmpp::tlvs::MessageDeliveryRequestTlvValue;
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{EsmClass, MessageState, Npi, Ton};
use rusmpp::{Command, CommandId, CommandStatus, Pdu};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};
use tokio_util::codec::Framed;

/// What the simulator does after accepting a submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptMode {
    /// `stat:DELIVRD` after the delay.
    Delivered,
    /// `stat:UNDELIV` after the delay.
    Undelivered,
    /// No receipt.
    None,
}

/// How receipts carry the message id and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStyle {
    /// Only the SMPP 3.4 appendix B text `id:… stat:…`.
    Text,
    /// The text, and the `receipted_message_id` and `message_state` TLVs.
    TextAndTlvs,
}

/// A message as the SMSC received it, parts reassembled.
#[derive(Debug, Clone)]
pub struct ReceivedSms {
    pub source: String,
    pub source_ton: u8,
    pub source_npi: u8,
    pub destination: String,
    pub dest_ton: u8,
    pub dest_npi: u8,
    pub data_coding: u8,
    pub esm_class: u8,
    pub registered_delivery: u8,
    /// Decoded: GSM 03.38 default alphabet (with its escape table) or UTF-16BE.
    pub text: String,
    /// How many submit_sm carried it.
    pub parts: usize,
    /// The first part's message id.
    pub message_id: String,
    /// Every part's message id, in part order.
    pub part_ids: Vec<String>,
    /// When its last part arrived.
    pub received_at: Instant,
}

/// A receipt the simulator sent and what the ESME answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptAnswer {
    pub message_id: String,
    pub status: u32,
}

pub struct FakeSmsc {
    addr: SocketAddr,
    state: Arc<State>,
    listener: Mutex<Option<AbortHandle>>,
}

struct State {
    system_id: String,
    password: String,
    controls: Mutex<Controls>,
    /// Bumped on every change a test may wait for.
    changed: watch::Sender<u64>,
    connections: Mutex<JoinSet<()>>,
    hang: watch::Sender<bool>,
    /// Where each live connection takes PDUs the SMSC sends of its own accord.
    outgoing: Mutex<Vec<mpsc::Sender<Command>>>,
}

#[derive(Default)]
struct Controls {
    next_message_id: u64,
    refuse: Option<(usize, u32)>,
    receipts: Option<(ReceiptMode, Duration, ReceiptStyle)>,
    messages: Vec<ReceivedSms>,
    submit_attempts: usize,
    refused: usize,
    bind_attempts: usize,
    binds: usize,
    enquire_links: usize,
    unbinds: usize,
    unanswered: usize,
    max_unanswered: usize,
    receipt_answers: Vec<ReceiptAnswer>,
    accepted_connections: usize,
}

impl FakeSmsc {
    /// Listens on an ephemeral port; receipts `Delivered` after 50 ms, text style.
    pub async fn start(system_id: &str, password: &str) -> FakeSmsc {
        let state = Arc::new(State {
            system_id: system_id.into(),
            password: password.into(),
            controls: Mutex::new(Controls {
                next_message_id: 1,
                receipts: Some((
                    ReceiptMode::Delivered,
                    Duration::from_millis(50),
                    ReceiptStyle::Text,
                )),
                ..Controls::default()
            }),
            changed: watch::channel(0).0,
            connections: Mutex::new(JoinSet::new()),
            hang: watch::channel(false).0,
            outgoing: Mutex::new(Vec::new()),
        });
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("fake SMSC binds");
        let addr = listener.local_addr().expect("bound address");
        let smsc = FakeSmsc { addr, state, listener: Mutex::new(None) };
        smsc.listen(listener);
        smsc
    }

    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Messages accepted (all their parts), in the order they completed.
    pub fn messages(&self) -> Vec<ReceivedSms> {
        self.controls().messages.clone()
    }

    /// Waits until at least `count` messages were accepted; panics after `limit`.
    pub async fn wait_for_messages(&self, count: usize, limit: Duration) -> Vec<ReceivedSms> {
        self.wait_until(limit, &format!("{count} messages"), |c| c.messages.len() >= count).await;
        self.messages()
    }

    /// Every submit_sm received (parts, refused ones, unanswered ones).
    pub fn submit_attempts(&self) -> usize {
        self.controls().submit_attempts
    }

    pub async fn wait_for_submit_attempts(&self, count: usize, limit: Duration) {
        self.wait_until(limit, &format!("{count} submit_sm"), |c| c.submit_attempts >= count).await;
    }

    /// The next `count` submit_sm are answered with `status` (e.g. 0x58 throttled).
    pub fn refuse_next_submits(&self, count: usize, status: u32) {
        self.controls().refuse = Some((count, status));
    }

    /// Submits refused by [`FakeSmsc::refuse_next_submits`].
    pub fn refused(&self) -> usize {
        self.controls().refused
    }

    pub fn set_receipts(&self, mode: ReceiptMode, delay: Duration, style: ReceiptStyle) {
        self.controls().receipts = Some((mode, delay, style));
    }

    /// What the ESME answered to the receipts sent, in order of answers.
    pub fn receipt_answers(&self) -> Vec<ReceiptAnswer> {
        self.controls().receipt_answers.clone()
    }

    /// Waits until the ESME answered at least `count` receipts; panics after `limit`.
    pub async fn wait_for_receipt_answers(
        &self,
        count: usize,
        limit: Duration,
    ) -> Vec<ReceiptAnswer> {
        self.wait_until(limit, &format!("{count} receipt answers"), |c| {
            c.receipt_answers.len() >= count
        })
        .await;
        self.receipt_answers()
    }

    /// While on, nothing is answered (submits are still recorded as attempts); turned off, the
    /// held submit_sm are answered.
    pub fn set_hang(&self, hang: bool) {
        self.state.hang.send_replace(hang);
    }

    /// The most submit_sm received and not yet answered at once, on any one connection.
    pub fn max_unanswered_submits(&self) -> usize {
        self.controls().max_unanswered
    }

    /// Closes every ESME connection; the listener stays.
    /// A person's message to the bound ESME (mobile-originated `deliver_sm`), GSM text as
    /// ASCII, from `from` (e.g. `84912345678`) to `to` (the brandname's short code); false
    /// when no connection took it.
    pub async fn send_reply(&self, from: &str, to: &str, text: &str) -> bool {
        let mut deliver = DeliverSm::default();
        deliver.source_addr = COctetString::from_str(from).expect("a short number");
        deliver.source_addr_ton = Ton::International;
        deliver.source_addr_npi = Npi::Isdn;
        deliver.destination_addr = COctetString::from_str(to).expect("a short address");
        deliver.set_short_message(
            OctetString::from_vec(text.as_bytes().to_vec()).expect("short text"),
        );
        let senders: Vec<_> = self.state.outgoing.lock().unwrap().clone();
        let mut taken = false;
        for sender in senders {
            let command = Command::new(CommandStatus::EsmeRok, 0, deliver.clone());
            taken |= sender.send(command).await.is_ok();
        }
        taken
    }

    pub fn drop_connections(&self) {
        self.state.connections.lock().unwrap().abort_all();
    }

    /// Stops listening and closes every connection: the SMSC is down.
    pub fn stop(&self) {
        if let Some(listener) = self.listener.lock().unwrap().take() {
            listener.abort();
        }
        self.drop_connections();
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        self.stop();
        // The aborted accept loop releases the port when its task is dropped; give it the turns
        // it needs, bounded.
        let deadline = Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match bind(self.addr) {
                Ok(listener) => break listener,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(e) => panic!("fake SMSC cannot listen on {} again: {e}", self.addr),
            }
        };
        self.listen(listener);
    }

    /// bind_* PDUs received, refused ones included.
    pub fn bind_attempts(&self) -> usize {
        self.controls().bind_attempts
    }

    /// Successful binds.
    pub fn binds(&self) -> usize {
        self.controls().binds
    }

    pub async fn wait_for_binds(&self, count: usize, limit: Duration) {
        self.wait_until(limit, &format!("{count} binds"), |c| c.binds >= count).await;
    }

    pub async fn wait_for_bind_attempts(&self, count: usize, limit: Duration) {
        self.wait_until(limit, &format!("{count} bind attempts"), |c| c.bind_attempts >= count)
            .await;
    }

    pub fn enquire_links(&self) -> usize {
        self.controls().enquire_links
    }

    pub async fn wait_for_enquire_links(&self, count: usize, limit: Duration) {
        self.wait_until(limit, &format!("{count} enquire_link"), |c| c.enquire_links >= count)
            .await;
    }

    pub fn unbinds(&self) -> usize {
        self.controls().unbinds
    }

    pub async fn wait_for_unbinds(&self, count: usize, limit: Duration) {
        self.wait_until(limit, &format!("{count} unbind"), |c| c.unbinds >= count).await;
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.controls().accepted_connections
    }

    fn controls(&self) -> std::sync::MutexGuard<'_, Controls> {
        self.state.controls.lock().unwrap()
    }

    async fn wait_until(&self, limit: Duration, what: &str, done: impl Fn(&Controls) -> bool) {
        let mut changed = self.state.changed.subscribe();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if done(&self.controls()) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed.changed()).await.is_err() {
                panic!("fake SMSC: no {what} within {limit:?}");
            }
        }
    }

    fn listen(&self, listener: TcpListener) {
        let state = self.state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                state.update(|c| c.accepted_connections += 1);
                let conn_state = state.clone();
                let mut connections = state.connections.lock().unwrap();
                while connections.try_join_next().is_some() {}
                connections.spawn(serve(conn_state, stream));
            }
        });
        *self.listener.lock().unwrap() = Some(task.abort_handle());
    }
}

impl Drop for FakeSmsc {
    fn drop(&mut self) {
        self.stop();
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    // Connections the simulator closed sit in TIME_WAIT on this port; restart must not care.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(64)
}

impl State {
    fn update<T>(&self, f: impl FnOnce(&mut Controls) -> T) -> T {
        let out = f(&mut self.controls.lock().unwrap());
        self.changed.send_modify(|n| *n += 1);
        out
    }
}

/// Parts of concatenated messages waiting for the rest, by (destination, reference).
type Partial = HashMap<(String, u16), Vec<Option<(Vec<u8>, String)>>>;

async fn serve(state: Arc<State>, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut framed = Framed::new(stream, CommandCodec::new());
    let (receipts_tx, mut receipts) = mpsc::channel::<Command>(1024);
    {
        let mut outgoing = state.outgoing.lock().unwrap();
        outgoing.retain(|sender| !sender.is_closed());
        outgoing.push(receipts_tx.clone());
    }
    let mut hang = state.hang.subscribe();
    let mut held: Vec<Command> = Vec::new();
    let mut partial: Partial = HashMap::new();
    let mut bound = false;
    let mut next_seq: u32 = 0;
    let mut receipt_ids: HashMap<u32, String> = HashMap::new();
    loop {
        tokio::select! {
            frame = framed.next() => {
                let Some(Ok(command)) = frame else { return };
                let hanging = *hang.borrow();
                let reply = answer(&state, command, &mut bound, &mut partial, &receipts_tx, &mut receipt_ids);
                match reply {
                    Answer::None => {}
                    Answer::Close(reply) => {
                        let _ = framed.send(reply).await;
                        return;
                    }
                    Answer::Reply(reply) if hanging => {
                        if reply.id() == CommandId::SubmitSmResp {
                            state.update(|c| {
                                c.unanswered += 1;
                                c.max_unanswered = c.max_unanswered.max(c.unanswered);
                            });
                            held.push(reply);
                        }
                    }
                    Answer::Reply(reply) => {
                        if reply.id() == CommandId::SubmitSmResp {
                            state.update(|c| c.max_unanswered = c.max_unanswered.max(c.unanswered + 1));
                        }
                        if framed.send(reply).await.is_err() {
                            return;
                        }
                    }
                }
            }
            Ok(()) = hang.changed() => {
                if !*hang.borrow_and_update() {
                    for reply in held.drain(..) {
                        state.update(|c| c.unanswered -= 1);
                        if framed.send(reply).await.is_err() {
                            return;
                        }
                    }
                }
            }
            Some(mut receipt) = receipts.recv() => {
                next_seq += 1;
                receipt.sequence_number = next_seq;
                if let Some(Pdu::DeliverSm(d)) = receipt.pdu() {
                    let text = String::from_utf8_lossy(d.short_message()).to_string();
                    let id = text.strip_prefix("id:").and_then(|t| t.split(' ').next()).unwrap_or("").to_string();
                    receipt_ids.insert(next_seq, id);
                }
                if framed.send(receipt).await.is_err() {
                    return;
                }
            }
        }
    }
}

enum Answer {
    None,
    Reply(Command),
    /// Answer, then close (unbind).
    Close(Command),
}

fn answer(
    state: &Arc<State>,
    command: Command,
    bound: &mut bool,
    partial: &mut Partial,
    receipts: &mpsc::Sender<Command>,
    receipt_ids: &mut HashMap<u32, String>,
) -> Answer {
    let seq = command.sequence_number();
    let ok = CommandStatus::EsmeRok;
    match command.pdu() {
        Some(Pdu::BindTransceiver(b)) => {
            let status = check_bind(state, b.system_id.as_str(), b.password.as_str(), bound);
            Answer::Reply(Command::new(status, seq, BindTransceiverResp::new(smsc_id(), None)))
        }
        Some(Pdu::BindTransmitter(b)) => {
            let status = check_bind(state, b.system_id.as_str(), b.password.as_str(), bound);
            Answer::Reply(Command::new(status, seq, BindTransmitterResp::new(smsc_id(), None)))
        }
        Some(Pdu::BindReceiver(b)) => {
            let status = check_bind(state, b.system_id.as_str(), b.password.as_str(), bound);
            Answer::Reply(Command::new(status, seq, BindReceiverResp::new(smsc_id(), None)))
        }
        Some(Pdu::EnquireLink) => {
            state.update(|c| c.enquire_links += 1);
            Answer::Reply(Command::new(ok, seq, Pdu::EnquireLinkResp))
        }
        Some(Pdu::Unbind) => {
            state.update(|c| c.unbinds += 1);
            Answer::Close(Command::new(ok, seq, Pdu::UnbindResp))
        }
        Some(Pdu::SubmitSm(submit)) => {
            let status_and_id = state.update(|c| {
                c.submit_attempts += 1;
                if !*bound {
                    return Err(CommandStatus::EsmeRinvbndsts);
                }
                if let Some((left, status)) = c.refuse.as_mut() {
                    let status = *status;
                    *left -= 1;
                    if *left == 0 {
                        c.refuse = None;
                    }
                    c.refused += 1;
                    return Err(CommandStatus::from(status));
                }
                let id = format!("{:010}", c.next_message_id);
                c.next_message_id += 1;
                Ok((id, c.receipts))
            });
            match status_and_id {
                Err(status) => Answer::Reply(Command::new(status, seq, SubmitSmResp::default())),
                Ok((id, receipt)) => {
                    record(state, submit, &id, partial);
                    if let Some((mode, delay, style)) = receipt {
                        schedule_receipt(submit, &id, mode, delay, style, receipts.clone());
                    }
                    let message_id = COctetString::from_str(&id).expect("ids are short");
                    Answer::Reply(Command::new(ok, seq, SubmitSmResp::new(message_id, Vec::new())))
                }
            }
        }
        Some(Pdu::DeliverSmResp(_)) | None if command.id() == CommandId::DeliverSmResp => {
            let message_id = receipt_ids.remove(&seq).unwrap_or_default();
            let status = u32::from(command.status());
            state.update(|c| c.receipt_answers.push(ReceiptAnswer { message_id, status }));
            Answer::None
        }
        _ if u32::from(command.id()) & 0x8000_0000 != 0 => Answer::None,
        _ => Answer::Reply(Command::new(CommandStatus::EsmeRinvcmdid, seq, Pdu::GenericNack)),
    }
}

fn smsc_id() -> COctetString<1, 16> {
    COctetString::from_str("FAKESMSC").expect("short")
}

fn check_bind(state: &State, system_id: &str, password: &str, bound: &mut bool) -> CommandStatus {
    state.update(|c| {
        c.bind_attempts += 1;
        if system_id != state.system_id {
            CommandStatus::EsmeRinvsysid
        } else if password != state.password {
            CommandStatus::EsmeRinvpaswd
        } else {
            c.binds += 1;
            *bound = true;
            CommandStatus::EsmeRok
        }
    })
}

/// The UDH's concatenation element: (reference, total, number).
fn concatenation(payload: &[u8]) -> Option<(u16, u8, u8, usize)> {
    let udhl = *payload.first()? as usize;
    let header = payload.get(1..1 + udhl)?;
    let mut at = 0;
    while at + 2 <= header.len() {
        let (iei, len) = (header[at], header[at + 1] as usize);
        let value = header.get(at + 2..at + 2 + len)?;
        match (iei, value) {
            (0x00, [reference, total, number]) => {
                return Some((*reference as u16, *total, *number, 1 + udhl))
            }
            (0x08, [hi, lo, total, number]) => {
                return Some((u16::from_be_bytes([*hi, *lo]), *total, *number, 1 + udhl))
            }
            _ => at += 2 + len,
        }
    }
    None
}

fn record(state: &State, submit: &SubmitSm, id: &str, partial: &mut Partial) {
    let payload: &[u8] = submit.short_message();
    let esm_class = u8::from(submit.esm_class);
    let data_coding = u8::from(submit.data_coding);
    let destination = submit.destination_addr.as_str().to_string();
    let udh = if esm_class & 0x40 != 0 { concatenation(payload) } else { None };
    let (bytes, part_ids) = match udh {
        Some((reference, total, number, header))
            if total >= 1 && number >= 1 && number <= total =>
        {
            let key = (destination.clone(), reference);
            let slots = partial.entry(key.clone()).or_insert_with(|| vec![None; total as usize]);
            if slots.len() != total as usize {
                *slots = vec![None; total as usize];
            }
            slots[number as usize - 1] = Some((payload[header..].to_vec(), id.to_string()));
            if slots.iter().any(Option::is_none) {
                return;
            }
            let parts = partial.remove(&key).unwrap_or_default();
            let (bytes, ids): (Vec<Vec<u8>>, Vec<String>) = parts.into_iter().flatten().unzip();
            (bytes.concat(), ids)
        }
        _ => (payload.to_vec(), vec![id.to_string()]),
    };
    let text = match data_coding {
        0x08 => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => decode_gsm(&bytes),
    };
    let message = ReceivedSms {
        source: submit.source_addr.as_str().to_string(),
        source_ton: submit.source_addr_ton.into(),
        source_npi: submit.source_addr_npi.into(),
        destination,
        dest_ton: submit.dest_addr_ton.into(),
        dest_npi: submit.dest_addr_npi.into(),
        data_coding,
        esm_class,
        registered_delivery: submit.registered_delivery.into(),
        text,
        parts: part_ids.len(),
        message_id: part_ids[0].clone(),
        part_ids,
        received_at: Instant::now(),
    };
    state.update(|c| c.messages.push(message));
}

fn schedule_receipt(
    submit: &SubmitSm,
    id: &str,
    mode: ReceiptMode,
    delay: Duration,
    style: ReceiptStyle,
    receipts: mpsc::Sender<Command>,
) {
    let (stat, state) = match mode {
        ReceiptMode::None => return,
        ReceiptMode::Delivered => ("DELIVRD", MessageState::Delivered),
        ReceiptMode::Undelivered => ("UNDELIV", MessageState::Undeliverable),
    };
    let dlvrd = if mode == ReceiptMode::Delivered { "001" } else { "000" };
    let text = format!(
        "id:{id} sub:001 dlvrd:{dlvrd} submit date:2501011200 done date:2501011201 stat:{stat} err:000 text:"
    );
    let mut deliver = DeliverSm::default();
    // The receipt goes from the handset back to the sender.
    deliver.source_addr = submit.destination_addr.clone();
    deliver.source_addr_ton = submit.dest_addr_ton;
    deliver.source_addr_npi = submit.dest_addr_npi;
    deliver.destination_addr = submit.source_addr.clone();
    deliver.dest_addr_ton = submit.source_addr_ton;
    deliver.dest_addr_npi = submit.source_addr_npi;
    deliver.esm_class = EsmClass::from(0x04);
    deliver.set_short_message(OctetString::from_vec(text.into_bytes()).expect("short receipt"));
    if style == ReceiptStyle::TextAndTlvs {
        deliver.push_tlv(MessageDeliveryRequestTlvValue::ReceiptedMessageId(
            COctetString::from_str(id).expect("short id"),
        ));
        deliver.push_tlv(MessageDeliveryRequestTlvValue::MessageState(state));
    }
    let command = Command::new(CommandStatus::EsmeRok, 0, deliver);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let _ = receipts.send(command).await;
    });
}

/// GSM 03.38 default alphabet, 0x00..=0x7F; 0x1B is the escape to the extension table.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

fn gsm_extension(byte: u8) -> Option<char> {
    Some(match byte {
        0x0A => '\u{0c}',
        0x14 => '^',
        0x28 => '{',
        0x29 => '}',
        0x2F => '\\',
        0x3C => '[',
        0x3D => '~',
        0x3E => ']',
        0x40 => '|',
        0x65 => '€',
        _ => return None,
    })
}

/// One septet per octet; anything outside the alphabet becomes U+FFFD.
pub fn decode_gsm(bytes: &[u8]) -> String {
    let basic: Vec<char> = GSM_BASIC.chars().collect();
    let mut out = String::new();
    let mut iter = bytes.iter();
    while let Some(&b) = iter.next() {
        if b == 0x1B {
            match iter.next().and_then(|&e| gsm_extension(e)) {
                Some(c) => out.push(c),
                None => out.push('\u{fffd}'),
            }
        } else {
            out.push(basic.get(b as usize).copied().unwrap_or('\u{fffd}'));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm_table_has_128_characters() {
        assert_eq!(GSM_BASIC.chars().count(), 128);
        assert_eq!(decode_gsm(b"Hello \x00\x1b\x65\x1b\x28"), "Hello @€{");
        assert_eq!(decode_gsm(&[0x11, 0x7F]), "_à");
    }
}
