//! The stub server runs in its own process so that the harness's CPU time and memory are the
//! client's alone. The harness re-invokes its own binary as `users-bench stub-server`, which
//! prints its port on the first line of stdout and exits when its stdin closes (the harness
//! ended, however it ended) or after a maximum lifetime.

use std::future::Future;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::stub::{self, StubBodies};

/// The subcommand that runs the stub server.
pub const STUB_SUBCOMMAND: &str = "stub-server";

/// Runs the stub server on 127.0.0.1 with an ephemeral port: prints the port, then serves until
/// stdin reaches end of file or `max_lifetime` passes. Blocks the calling thread.
///
/// # Errors
/// When the runtime, the socket or the fixture cannot be set up.
pub fn run_server(max_lifetime: Duration) -> io::Result<()> {
    let bodies = StubBodies::new().map_err(io::Error::other)?;
    serve_child(max_lifetime, move |listener| stub::serve(listener, bodies))
}

/// The child side of the protocol, for any server: binds 127.0.0.1 on an ephemeral port on a
/// multi-thread runtime, prints the port, then runs `serve` until it ends, stdin reaches end
/// of file, or `max_lifetime` passes. Blocks the calling thread.
///
/// # Errors
/// When the runtime or the socket cannot be set up, or `serve` fails.
pub fn serve_child<F, Fut>(max_lifetime: Duration, serve: F) -> io::Result<()>
where
    F: FnOnce(tokio::net::TcpListener) -> Fut,
    Fut: Future<Output = io::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let port = listener.local_addr()?.port();
        {
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{port}")?;
            stdout.flush()?;
        }
        let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
        thread::spawn(move || {
            // Returns at end of file (or on an error), i.e. when the parent is gone.
            let _read = io::copy(&mut io::stdin().lock(), &mut io::sink());
            let _sent = closed_tx.send(());
        });
        tokio::select! {
            served = serve(listener) => served,
            _ = closed_rx => Ok(()),
            () = tokio::time::sleep(max_lifetime) => Ok(()),
        }
    })
}

/// A running stub server process; dropping it ends the process.
#[derive(Debug)]
pub struct StubProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl StubProcess {
    /// Starts `exe stub-server` (the harness's own binary) and waits for its port.
    ///
    /// # Errors
    /// When the process cannot start or does not print a port.
    pub fn spawn(exe: &Path, max_lifetime: Duration) -> io::Result<StubProcess> {
        StubProcess::spawn_subcommand(exe, STUB_SUBCOMMAND, max_lifetime)
    }

    /// Starts `exe {subcommand} --max-seconds S`, a server that follows the same protocol
    /// (port on the first line, exit when stdin closes), and waits for its port.
    ///
    /// # Errors
    /// When the process cannot start or does not print a port.
    pub fn spawn_subcommand(
        exe: &Path,
        subcommand: &str,
        max_lifetime: Duration,
    ) -> io::Result<StubProcess> {
        let mut child = Command::new(exe)
            .arg(subcommand)
            .arg("--max-seconds")
            .arg(max_lifetime.as_secs().max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let port = match child.stdout.take().map(read_port) {
            Some(Ok(port)) => port,
            Some(Err(error)) => return Err(end_with(child, error)),
            None => return Err(end_with(child, io::Error::other("stub stdout not piped"))),
        };
        Ok(StubProcess { child, stdin, port })
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// CPU time the server has used so far, to show it is not what bounds a run.
    ///
    /// # Errors
    /// When its `/proc` entry cannot be read.
    pub fn cpu_time(&self) -> io::Result<Duration> {
        crate::measure::cpu_time_of(self.child.id())
    }

    /// Its peak resident set size so far, KiB.
    ///
    /// # Errors
    /// When its `/proc` entry cannot be read.
    pub fn peak_rss_kib(&self) -> io::Result<u64> {
        crate::measure::peak_rss_kib_of(self.child.id())
    }

    /// `http://127.0.0.1:{port}`, the base URL targets are built with.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        // Closing stdin asks it to stop; the kill covers a stub that does not listen.
        drop(self.stdin.take());
        let _killed = self.child.kill();
        let _reaped = self.child.wait();
    }
}

fn read_port(stdout: impl Read) -> io::Result<u16> {
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    line.trim().parse::<u16>().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("stub server printed {:?} instead of its port", line.trim()),
        )
    })
}

fn end_with(mut child: Child, error: io::Error) -> io::Error {
    let _killed = child.kill();
    let _reaped = child.wait();
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_from_the_first_line_only() {
        assert_eq!(read_port(&b"40123\nlater output\n"[..]).ok(), Some(40123));
        assert!(read_port(&b""[..]).is_err());
        assert!(read_port(&b"listening on 40123\n"[..]).is_err());
        assert!(read_port(&b"70000\n"[..]).is_err());
    }
}
