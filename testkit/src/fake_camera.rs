//! A fake public camera on 127.0.0.1: `GET /snapshot.jpg` answers a small JPEG, a different
//! one for each request (`frame(n)` for the n-th, from 1), and counts the requests.
//!
//! ```ignore
//! let camera = FakeCamera::start().await;
//! camera.set_delay(Duration::from_millis(300)); // every answer takes this long
//! // ... register camera.snapshot_url() and look at it ...
//! assert_eq!(camera.requests(), 1);
//! camera.set_mode(CameraMode::Fail); // 503 from now on; Hang never answers
//! ```

use actix_web::{web, App, HttpResponse, HttpServer};
use image::{Rgb, RgbImage};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How the camera answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraMode {
    /// 200 with the next frame (`image/jpeg`).
    Serve,
    /// 503, as a camera whose recorder is rebooting.
    Fail,
    /// Accepts the request and never answers (for a minute).
    Hang,
    /// 200 `text/html`: a vendor's login page instead of an image.
    Html,
    /// 200 `image/jpeg` of 3 MiB, without a `Content-Length` (chunked).
    Huge,
}

pub struct FakeCamera {
    base_url: String,
    state: web::Data<State>,
}

struct State {
    requests: AtomicUsize,
    mode: Mutex<CameraMode>,
    delay_ms: AtomicU64,
}

impl FakeCamera {
    pub async fn start() -> FakeCamera {
        let listener = TcpListener::bind("127.0.0.1:0").expect("fake camera binds");
        let port = listener.local_addr().expect("bound address").port();
        let state = web::Data::new(State {
            requests: AtomicUsize::new(0),
            mode: Mutex::new(CameraMode::Serve),
            delay_ms: AtomicU64::new(0),
        });
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new().app_data(app_state.clone()).route("/snapshot.jpg", web::get().to(snapshot))
        })
        .workers(1)
        .max_connections(10_000)
        .disable_signals()
        .listen(listener)
        .expect("fake camera listens")
        .run();
        tokio::spawn(server);
        FakeCamera { base_url: format!("http://127.0.0.1:{port}"), state }
    }

    /// The address to register as the camera's `snapshot_url`.
    pub fn snapshot_url(&self) -> String {
        format!("{}/snapshot.jpg", self.base_url)
    }

    /// Requests received so far (counted as they arrive, before any delay).
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    pub fn set_mode(&self, mode: CameraMode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// How long each answer waits before it is sent.
    pub fn set_delay(&self, delay: Duration) {
        self.state.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// The JPEG the n-th request (from 1) is answered with.
    pub fn frame(n: usize) -> Vec<u8> {
        let shade = (n * 40 % 256) as u8;
        let image = RgbImage::from_fn(32, 24, |x, y| Rgb([shade, (x * 8) as u8, (y * 10) as u8]));
        crate::photos::jpeg(&image, 80)
    }
}

async fn snapshot(state: web::Data<State>) -> HttpResponse {
    let n = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let mode = *state.mode.lock().unwrap();
    let delay = state.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match mode {
        CameraMode::Serve => {
            HttpResponse::Ok().content_type("image/jpeg").body(FakeCamera::frame(n))
        }
        CameraMode::Fail => HttpResponse::ServiceUnavailable().body("recorder rebooting"),
        CameraMode::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            HttpResponse::GatewayTimeout().finish()
        }
        CameraMode::Html => {
            HttpResponse::Ok().content_type("text/html").body("<html>Đăng nhập</html>")
        }
        CameraMode::Huge => {
            let mut jpeg = FakeCamera::frame(n);
            jpeg.resize(3 << 20, 0);
            let chunks: Vec<Result<web::Bytes, std::io::Error>> =
                jpeg.chunks(64 << 10).map(|c| Ok(web::Bytes::copy_from_slice(c))).collect();
            HttpResponse::Ok()
                .content_type("image/jpeg")
                .streaming(futures_util::stream::iter(chunks))
        }
    }
}
