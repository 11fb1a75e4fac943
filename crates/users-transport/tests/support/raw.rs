//! A raw TCP server that reads one request head and then follows a script, for responses and
//! failures a correct HTTP server would never produce.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does once it has read a request head.
#[derive(Debug, Clone)]
pub enum Script {
    /// Never writes anything and keeps the connection open (up to a minute).
    NeverAnswer,
    /// Writes these bytes, then closes the connection.
    SendThenClose(Vec<u8>),
    /// Writes these bytes, then keeps the connection open without writing more (up to a minute).
    SendThenHang(Vec<u8>),
}

/// A scripted server; every connection gets the same script.
pub struct RawServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    accept_loop: JoinHandle<()>,
}

impl RawServer {
    /// Binds 127.0.0.1:0 and starts accepting.
    pub async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(follow(stream, script.clone()));
            }
        });
        Self {
            addr,
            connections,
            accept_loop,
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `https://127.0.0.1:PORT` followed by `path` (the server never speaks TLS).
    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn follow(mut stream: TcpStream, script: Script) {
    read_head(&mut stream).await;
    match script {
        Script::NeverAnswer => tokio::time::sleep(Duration::from_secs(60)).await,
        Script::SendThenClose(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Script::SendThenHang(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    }
}

/// Reads until the blank line ending a request head (or a TLS ClientHello's first bytes, or
/// end of stream), within a bound so a silent client cannot hold the task forever.
async fn read_head(stream: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut buffer = [0_u8; 4096];
    let reading = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(buffer.get(..n).unwrap_or_default()),
            }
            // 0x16 is a TLS handshake record: answer it with HTTP bytes to fail the handshake.
            if seen.windows(4).any(|w| w == b"\r\n\r\n") || seen.first() == Some(&0x16) {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), reading).await;
}
