//! Accepting connections: hyper's HTTP/1 server over tokio, with a header-read timeout and a
//! cap on open connections, so a client that sends nothing cannot hold the peer.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};

/// Open connections at once; the next waits in the listen queue until one closes.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listen` until SIGINT or SIGTERM; `ready` is told the bound address first.
pub fn serve(listen: SocketAddr, app: Router, ready: impl FnOnce(SocketAddr)) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("sealcheck-peer")
        .build()?;
    let result = runtime.block_on(async move {
        let listener = TcpListener::bind(listen).await?;
        ready(listener.local_addr()?);
        let stop = Arc::new(Notify::new());
        watch_signals(stop.clone())?;
        let accepting = tokio::spawn(accept_loop(listener, app));
        stop.notified().await;
        accepting.abort();
        Ok::<(), io::Error>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn accept_loop(listener: TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait a moment rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            // A client that goes away mid-request is its own business.
            let _ = connection.await;
            drop(slot);
        });
    }
}

fn watch_signals(stop: Arc<Notify>) -> io::Result<()> {
    let on_interrupt = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.notify_one();
        }
    });
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::spawn(async move {
            term.recv().await;
            stop.notify_one();
        });
    }
    Ok(())
}
