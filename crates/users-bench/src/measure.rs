//! Process CPU time and peak memory, read from procfs with plain file reads (the workspace
//! forbids `unsafe`, so no `getrusage`). Linux only; elsewhere the reads fail with an error.

use std::io;
use std::time::Duration;

/// Clock ticks per second of the `utime`/`stime` fields of `/proc/[pid]/stat`. This is the
/// kernel's `USER_HZ`, which is 100 on every Linux architecture's user ABI (what
/// `getconf CLK_TCK` prints); so CPU time has a 10 ms resolution, and a run must last long
/// enough (thousands of requests) for the per-request figure to be meaningful.
pub const CLOCK_TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time consumed so far by every thread of this process.
///
/// # Errors
/// When `/proc/self/stat` cannot be read or parsed.
pub fn process_cpu_time() -> io::Result<Duration> {
    cpu_time_from("/proc/self/stat")
}

/// The same for another process of ours (the stub server), by its id.
///
/// # Errors
/// When `/proc/{pid}/stat` cannot be read or parsed (e.g. the process has exited).
pub fn cpu_time_of(pid: u32) -> io::Result<Duration> {
    cpu_time_from(&format!("/proc/{pid}/stat"))
}

fn cpu_time_from(path: &str) -> io::Result<Duration> {
    let stat = std::fs::read_to_string(path)?;
    let ticks = cpu_ticks(&stat)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("unexpected {path}")))?;
    Ok(ticks_to_duration(ticks))
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

fn peak_rss_from(path: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(path)?;
    vm_hwm_kib(&status)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("no VmHWM in {path}")))
}

/// `utime + stime` (fields 14 and 15) of a `/proc/[pid]/stat` line. The command name (field 2)
/// is in parentheses and may itself hold spaces and parentheses, so fields are counted after
/// the last `)`.
fn cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // After the name, the first field is field 3 (state): utime is the 12th, stime the 13th.
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    utime.checked_add(stime)
}

fn ticks_to_duration(ticks: u64) -> Duration {
    let whole = ticks / CLOCK_TICKS_PER_SECOND;
    let rest = ticks % CLOCK_TICKS_PER_SECOND;
    Duration::from_secs(whole)
        + Duration::from_nanos(rest * (1_000_000_000 / CLOCK_TICKS_PER_SECOND))
}

/// The value of the `VmHWM:  1234 kB` line.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|number| number.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_counted_after_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 1062 0 0 0 \
                    731 269 0 0 20 0 3 0 1234 9924608 1200 18446744073709551615";
        assert_eq!(cpu_ticks(stat), Some(1000));
        assert_eq!(ticks_to_duration(1000), Duration::from_secs(10));
        assert_eq!(ticks_to_duration(7), Duration::from_millis(70));
    }

    #[test]
    fn a_truncated_or_garbled_stat_is_an_error_not_a_panic() {
        assert_eq!(cpu_ticks(""), None);
        assert_eq!(cpu_ticks("1 (x) S 1 2 3"), None);
        assert_eq!(cpu_ticks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 5"), None);
    }

    #[test]
    fn vm_hwm_is_read_in_kib() {
        let status =
            "Name:\tusers-bench\nVmPeak:\t  99999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(12345));
        assert_eq!(vm_hwm_kib("VmRSS: 1 kB\n"), None);
        assert_eq!(vm_hwm_kib("VmHWM: lots\n"), None);
    }

    #[test]
    fn this_process_can_be_measured() {
        let before = process_cpu_time().expect("procfs readable");
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        let after = process_cpu_time().expect("procfs readable");
        assert!(after >= before);
        assert!(peak_rss_kib().expect("procfs readable") > 0);
        assert!(peak_rss_kib_of(std::process::id()).expect("procfs readable") > 0);
        let by_pid = cpu_time_of(std::process::id()).expect("procfs readable");
        assert!(by_pid >= after);
    }
}
