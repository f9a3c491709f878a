//! The bytes of request bodies held in memory, bounded across the whole process.
//!
//! Every chunk of a body that a reader pulls (the JSON extractor, the form check, the multipart
//! reader) first takes its length from one budget of bytes, and the request gives it all back
//! when it ends, when whatever it read has been dropped. A chunk that finds no room waits for
//! some, [`ROOM_WAIT`] at most over the whole request; past that the request is answered 503
//! `server_busy` with `Retry-After`, whatever its reader made of the cut body, and the server
//! does not grow.
//!
//! The budget counts what clients sent, not what was declared: a client that declares a large
//! `Content-Length` and sends little holds little, and a chunked body is counted as it comes.

use crate::app::error::{ApiError, ErrorCode};
use crate::http::middleware::refusal;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::HttpMessage;
use futures_util::{Stream, StreamExt};
use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request's chunks may wait for room, all together, before it is refused: long
/// enough for a request finishing elsewhere to make room, short enough that the client hears
/// "busy" and not silence. (A wait per chunk would not do: under load each refusal frees room
/// for the others' next chunks, and the last of many requests would wait once per request.)
pub const ROOM_WAIT: Duration = Duration::from_secs(2);
/// What a refused client is told to wait before it sends again.
const RETRY_AFTER_SECS: u64 = 5;

/// The process's budget of body bytes, shared by every worker.
#[derive(Clone)]
pub struct BodyMemory {
    room: Arc<Semaphore>,
    wait: Duration,
}

impl BodyMemory {
    pub fn new(limit_bytes: usize) -> BodyMemory {
        BodyMemory::with_wait(limit_bytes, ROOM_WAIT)
    }

    fn with_wait(limit_bytes: usize, wait: Duration) -> BodyMemory {
        let limit = limit_bytes.min(Semaphore::MAX_PERMITS);
        BodyMemory { room: Arc::new(Semaphore::new(limit)), wait }
    }

    /// Bytes not held by any request now.
    #[cfg(test)]
    fn available(&self) -> usize {
        self.room.available_permits()
    }

    /// Replaces the request's body with one whose chunks take room first. What they take is
    /// held by the returned [`Held`] (and the body, while it lives) until both are dropped.
    fn meter(&self, req: &mut ServiceRequest) -> Held {
        let held = Held(Rc::new(RefCell::new(Holding::default())));
        let (budget, holder) = (self.clone(), held.clone());
        let metered = req.take_payload().then(move |chunk| {
            let (budget, holder) = (budget.clone(), holder.clone());
            async move { budget.admit(chunk?, &holder).await }
        });
        let metered: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(metered);
        req.set_payload(Payload::from(metered));
        held
    }

    async fn admit(&self, chunk: Bytes, held: &Held) -> Result<Bytes, PayloadError> {
        if held.0.borrow().refused {
            return Err(busy_cut());
        }
        // A chunk is what one read of the socket brought, far below 4 GiB.
        let bytes = u32::try_from(chunk.len()).map_err(|_| busy_cut())?;
        let room = match self.room.clone().try_acquire_many_owned(bytes) {
            Ok(permit) => Ok(permit),
            Err(_) => {
                let left = self.wait.saturating_sub(held.0.borrow().waited);
                let started = Instant::now();
                let acquiring = self.room.clone().acquire_many_owned(bytes);
                let acquired = tokio::time::timeout(left, acquiring).await;
                held.0.borrow_mut().waited += started.elapsed();
                acquired.map_err(|_| ()).and_then(|acquired| acquired.map_err(|_| ()))
            }
        };
        let mut holding = held.0.borrow_mut();
        match (room, holding.permit.as_mut()) {
            (Ok(permit), Some(holds)) => holds.merge(permit),
            (Ok(permit), None) => holding.permit = Some(permit),
            (Err(()), _) => {
                holding.refused = true;
                return Err(busy_cut());
            }
        }
        Ok(chunk)
    }
}

/// What one request holds of the budget; given back when the last copy is dropped.
#[derive(Clone)]
struct Held(Rc<RefCell<Holding>>);

#[derive(Default)]
struct Holding {
    permit: Option<OwnedSemaphorePermit>,
    /// A chunk found no room in time: the request is answered busy, whatever its reader said.
    refused: bool,
    /// How long its chunks have waited for room, all together.
    waited: Duration,
}

/// The error a body reader meets when its request found no room: the reader's own refusal of
/// a cut body (malformed, unreadable) is replaced by `server_busy` on the way out.
#[derive(Debug, thiserror::Error)]
#[error("no room for the request body in memory")]
struct NoRoom;

fn busy_cut() -> PayloadError {
    PayloadError::Io(std::io::Error::other(NoRoom))
}

fn server_busy() -> ApiError {
    ApiError::new(ErrorCode::ServerBusy).retry_after(RETRY_AFTER_SECS).with_detail(
        "Máy chủ đang nhận quá nhiều dữ liệu cùng lúc; vui lòng gửi lại sau ít giây",
        "The server is receiving too much at once; send again in a few seconds",
    )
}

/// Whether the request carries a body a reader could pull (so one worth metering).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0");
    declared || headers.contains_key(header::TRANSFER_ENCODING)
}

/// Meters the body of every request that has one against the process's [`BodyMemory`] (taken
/// from the app data; without it, bodies are not metered), and answers `server_busy` when a
/// chunk found no room.
pub async fn bound_body_memory(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let budget = req.app_data::<web::Data<BodyMemory>>().cloned();
    let held = budget.filter(|_| has_body(&req)).map(|budget| budget.meter(&mut req));
    let res = next.call(req).await?.map_into_boxed_body();
    let refused = held.as_ref().is_some_and(|held| held.0.borrow().refused);
    if !refused {
        return Ok(res);
    }
    let (http_req, _) = res.into_parts();
    Ok(refusal(http_req, server_busy()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn body_of(chunks: Vec<&'static [u8]>) -> ServiceRequest {
        let stream = futures_util::stream::iter(
            chunks.into_iter().map(|c| Ok::<_, PayloadError>(Bytes::from_static(c))),
        );
        let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(stream);
        let mut req =
            TestRequest::post().insert_header((header::CONTENT_LENGTH, "8")).to_srv_request();
        req.set_payload(Payload::from(stream));
        req
    }

    async fn read_all(req: &mut ServiceRequest) -> Result<usize, PayloadError> {
        let mut payload = req.take_payload();
        let mut read = 0;
        while let Some(chunk) = payload.next().await {
            read += chunk?.len();
        }
        Ok(read)
    }

    #[actix_web::test]
    async fn a_body_holds_its_bytes_until_the_request_ends() {
        let budget = BodyMemory::with_wait(10, Duration::from_millis(10));
        let mut req = body_of(vec![b"abcd", b"efgh"]);
        let held = budget.meter(&mut req);
        assert_eq!(read_all(&mut req).await.unwrap(), 8);
        assert_eq!(budget.available(), 2);
        drop(req);
        drop(held);
        assert_eq!(budget.available(), 10);
    }

    #[actix_web::test]
    async fn a_body_with_no_room_is_cut_and_gives_back_what_it_took() {
        let budget = BodyMemory::with_wait(6, Duration::from_millis(10));
        let mut req = body_of(vec![b"abcd", b"efgh"]);
        let held = budget.meter(&mut req);
        let cut = read_all(&mut req).await.unwrap_err();
        assert!(
            matches!(&cut, PayloadError::Io(e) if e.get_ref().is_some_and(|e| e.is::<NoRoom>()))
        );
        assert!(held.0.borrow().refused);
        drop((req, held));
        assert_eq!(budget.available(), 6);
    }

    #[actix_web::test]
    async fn a_chunk_waits_for_room_another_request_gives_back() {
        let budget = BodyMemory::with_wait(6, Duration::from_secs(5));
        let mut first = body_of(vec![b"abcd"]);
        let first_held = budget.meter(&mut first);
        read_all(&mut first).await.unwrap();
        let mut second = body_of(vec![b"efgh"]);
        let second_held = budget.meter(&mut second);
        let reading = read_all(&mut second);
        let giving_back = async {
            tokio::task::yield_now().await;
            drop((first, first_held));
        };
        let (read, ()) = futures_util::join!(reading, giving_back);
        assert_eq!(read.unwrap(), 4);
        assert!(!second_held.0.borrow().refused);
    }
}
