//! The HTTP side of JSON-RPC: every request is a POST of a JSON body to
//! `/`, answered with `200` and a JSON body (`204` with none when the body
//! held only notifications). The server runs on a thread and runtime of
//! its own, so it keeps answering while the devnet stops its chain and
//! starts it again (for a snapshot or a revert); handlers run on the
//! runtime's blocking threads, since some wait for the chain.

use super::{RpcState, handle};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long stopping the server waits for requests still being answered.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// A JSON-RPC server running on its own thread; [`ServerThread::stop`] ends it.
pub struct ServerThread {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl ServerThread {
    /// Serves JSON-RPC on `listener` (non-blocking) with `state`, on a new
    /// thread. `watch` runs on the server's runtime too: the devnet's
    /// shutdown signal (Ctrl-C needs a runtime to be watched on).
    pub fn spawn(
        listener: std::net::TcpListener,
        state: Arc<RpcState>,
        watch: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<ServerThread> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("min-rpc".into()).spawn(move || {
            let served = runtime.block_on(async move {
                tokio::spawn(watch);
                let listener = tokio::net::TcpListener::from_std(listener)?;
                let app = Router::new().route("/", post(answer)).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
            });
            runtime.shutdown_timeout(STOP_WAIT);
            served
        })?;
        Ok(ServerThread { stop: Some(stop), thread: Some(thread) })
    }

    /// Stops accepting requests, waits a little for those being answered,
    /// and answers how the server ended.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.end()
    }

    fn end(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(served)) => served,
            Some(Err(_)) => Err(std::io::Error::other("the JSON-RPC server panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        let _ = self.end();
    }
}

async fn answer(State(state): State<Arc<RpcState>>, body: Bytes) -> Response {
    let answered = tokio::task::spawn_blocking(move || handle(&state, &body)).await;
    match answered {
        Ok(Some(reply)) => ([(header::CONTENT_TYPE, "application/json")], reply.to_string()).into_response(),
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
