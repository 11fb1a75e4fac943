//! The stub server runs in its own process so that the harness's CPU time and memory are the
//! client's alone. The harness re-invokes its own binary as `users-bench stub-server`, which
//! prints its port on the first line of stdout and exits when its stdin closes (the harness
//! ended, however it ended) or after a maximum lifetime.
//!
//! Stdin and stdout stay open as a control channel: for each line `cpu` the child writes one
//! line with its own CPU time in nanoseconds (a process can read only its own CPU clock at
//! that resolution; `/proc/[pid]/stat` counts 10 ms ticks).

use std::future::Future;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use crate::stub::{self, StubBodies};

/// The control-channel request for the child's CPU time.
const CPU_REQUEST: &str = "cpu";

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
            // Ends at end of file (or on an error), i.e. when the parent is gone.
            let _answered = answer_control(io::stdin().lock(), io::stdout());
            let _sent = closed_tx.send(());
        });
        tokio::select! {
            served = serve(listener) => served,
            _ = closed_rx => Ok(()),
            () = tokio::time::sleep(max_lifetime) => Ok(()),
        }
    })
}

/// Answers control requests read from `input` on `output` until `input` ends. Unknown lines
/// are ignored.
fn answer_control(input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    for line in input.lines() {
        if line?.trim() == CPU_REQUEST {
            let cpu = crate::measure::process_cpu_time()?;
            writeln!(output, "{}", cpu.as_nanos())?;
            output.flush()?;
        }
    }
    Ok(())
}

/// The parent's ends of the control channel.
#[derive(Debug)]
struct Control {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// A running stub server process; dropping it ends the process.
#[derive(Debug)]
pub struct StubProcess {
    child: Child,
    control: Mutex<Option<Control>>,
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
        StubProcess::spawn_subcommand_with(exe, subcommand, &[], max_lifetime)
    }

    /// [`StubProcess::spawn_subcommand`] with more arguments after the subcommand's name.
    ///
    /// # Errors
    /// When the process cannot start or does not print a port.
    pub fn spawn_subcommand_with(
        exe: &Path,
        subcommand: &str,
        args: &[&std::ffi::OsStr],
        max_lifetime: Duration,
    ) -> io::Result<StubProcess> {
        let mut child = Command::new(exe)
            .arg(subcommand)
            .args(args)
            .arg("--max-seconds")
            .arg(max_lifetime.as_secs().max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(end_with(child, io::Error::other("stub stdio not piped")));
        };
        let mut stdout = BufReader::new(stdout);
        let port = match read_port(&mut stdout) {
            Ok(port) => port,
            Err(error) => return Err(end_with(child, error)),
        };
        Ok(StubProcess {
            child,
            control: Mutex::new(Some(Control { stdin, stdout })),
            port,
        })
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// CPU time the server has used so far (nanosecond resolution, asked over the control
    /// channel), to show it is not what bounds a run.
    ///
    /// # Errors
    /// When the server does not answer with a number (e.g. it has exited).
    pub fn cpu_time(&self) -> io::Result<Duration> {
        let mut guard = self
            .control
            .lock()
            .map_err(|_| io::Error::other("control channel poisoned"))?;
        let control = guard
            .as_mut()
            .ok_or_else(|| io::Error::other("control channel closed"))?;
        writeln!(control.stdin, "{CPU_REQUEST}")?;
        control.stdin.flush()?;
        let mut line = String::new();
        control.stdout.read_line(&mut line)?;
        let nanos: u64 = line.trim().parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("server answered {:?} instead of its CPU time", line.trim()),
            )
        })?;
        Ok(Duration::from_nanos(nanos))
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes its stdin, which asks it to stop, and waits up to `grace` for it to exit (then
    /// kills it). A server holding a store lets go of the file only once it has exited.
    ///
    /// # Errors
    /// When its state cannot be polled.
    pub fn stop(mut self, grace: Duration) -> io::Result<()> {
        if let Ok(mut control) = self.control.lock() {
            drop(control.take());
        }
        let deadline = std::time::Instant::now() + grace;
        while self.child.try_wait()?.is_none() {
            if std::time::Instant::now() >= deadline {
                self.child.kill()?;
                self.child.wait()?;
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        Ok(())
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
        if let Ok(mut control) = self.control.lock() {
            drop(control.take());
        }
        let _killed = self.child.kill();
        let _reaped = self.child.wait();
    }
}

fn read_port(stdout: &mut impl BufRead) -> io::Result<u16> {
    let mut line = String::new();
    stdout.read_line(&mut line)?;
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
        assert_eq!(
            read_port(&mut &b"40123\nlater output\n"[..]).ok(),
            Some(40123)
        );
        assert!(read_port(&mut &b""[..]).is_err());
        assert!(read_port(&mut &b"listening on 40123\n"[..]).is_err());
        assert!(read_port(&mut &b"70000\n"[..]).is_err());
    }

    #[test]
    fn each_cpu_request_is_answered_with_nanoseconds() {
        let mut answers = Vec::new();
        answer_control(&b"cpu\nsomething else\n cpu \n"[..], &mut answers).expect("answers");
        let text = String::from_utf8(answers).expect("utf-8");
        let nanos: Vec<u64> = text.lines().map(|l| l.parse().expect("number")).collect();
        assert_eq!(nanos.len(), 2, "{text:?}");
        assert!(
            nanos.iter().all(|&n| n > 0) && nanos[0] <= nanos[1],
            "{nanos:?}"
        );
    }
}
