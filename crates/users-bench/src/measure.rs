//! Process CPU time and peak memory. CPU time comes from `CLOCK_PROCESS_CPUTIME_ID` through
//! rustix's safe `clock_gettime` (user plus system time of every thread, nanosecond
//! resolution, the figure `getrusage(RUSAGE_SELF)` gives in microseconds), so even a short run
//! never reads zero. Peak memory is read from procfs (`VmHWM`); Linux only.
//!
//! Another process's CPU time cannot be read this way: a child server reports its own over
//! its stdin/stdout control channel (see [`crate::stub_process`]).

use std::io;
use std::time::Duration;

use rustix::time::{ClockId, clock_gettime};

/// User plus system CPU time consumed so far by every thread of this process.
///
/// # Errors
/// Never on Linux; the `Result` keeps callers ready for a platform without the clock.
pub fn process_cpu_time() -> io::Result<Duration> {
    let now = clock_gettime(ClockId::ProcessCPUTime);
    let secs = u64::try_from(now.tv_sec).map_err(|_| negative_clock())?;
    let nanos = u32::try_from(now.tv_nsec).map_err(|_| negative_clock())?;
    Ok(Duration::from_secs(secs).saturating_add(Duration::from_nanos(u64::from(nanos))))
}

fn negative_clock() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "negative process CPU clock")
}

/// The peak resident set size of this process so far (`VmHWM`), in KiB.
///
/// # Errors
/// When `/proc/self/status` cannot be read or has no `VmHWM` line.
pub fn peak_rss_kib() -> io::Result<u64> {
    peak_rss_from("/proc/self/status")
}

/// The same for another process of ours (the emulator server), by its id.
///
/// # Errors
/// When `/proc/{pid}/status` cannot be read or has no `VmHWM` line.
pub fn peak_rss_kib_of(pid: u32) -> io::Result<u64> {
    peak_rss_from(&format!("/proc/{pid}/status"))
}

/// The resident set size of another process of ours right now (`VmRSS`), in KiB.
///
/// # Errors
/// When `/proc/{pid}/status` cannot be read or has no `VmRSS` line.
pub fn rss_kib_of(pid: u32) -> io::Result<u64> {
    status_kib(&format!("/proc/{pid}/status"), "VmRSS:")
}

fn peak_rss_from(path: &str) -> io::Result<u64> {
    status_kib(path, "VmHWM:")
}

fn status_kib(path: &str, field: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(path)?;
    field_kib(&status, field).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("no {field} line in {path}"),
        )
    })
}

/// The value of the `FIELD  1234 kB` line (`field` with its colon).
fn field_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|number| number.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_and_vm_rss_are_read_in_kib() {
        let status =
            "Name:\tusers-bench\nVmPeak:\t  99999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(field_kib(status, "VmHWM:"), Some(12345));
        assert_eq!(field_kib(status, "VmRSS:"), Some(1));
        assert_eq!(field_kib("VmRSS: 1 kB\n", "VmHWM:"), None);
        assert_eq!(field_kib("VmHWM: lots\n", "VmHWM:"), None);
    }

    #[test]
    fn this_process_can_be_measured() {
        let before = process_cpu_time().expect("clock readable");
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        let after = process_cpu_time().expect("clock readable");
        // 20 million additions take well over a microsecond, at any tick resolution.
        assert!(after > before, "{before:?} -> {after:?}");
        assert!(peak_rss_kib().expect("procfs readable") > 0);
        assert!(peak_rss_kib_of(std::process::id()).expect("procfs readable") > 0);
        assert!(rss_kib_of(std::process::id()).expect("procfs readable") > 0);
    }
}
