//! What the process has used of the machine's memory, so a replay can say it without external
//! tools.

/// Tells the C allocator to keep one arena per thread the work may use, at most: glibc's
/// default, eight per core, keeps every freed buffer of every thread resident, and a
/// million-row replay's peak resident memory was 45% above its peak heap. Call once, before
/// any thread starts. Returns whether the allocator took it (elsewhere than glibc it does
/// nothing).
pub fn keep_arenas(threads: usize) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // glibc's `mallopt` and its M_ARENA_MAX (malloc.h).
        extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        const M_ARENA_MAX: std::ffi::c_int = -8;
        let arenas = std::ffi::c_int::try_from(threads.max(1)).unwrap_or(std::ffi::c_int::MAX);
        // SAFETY: mallopt only sets a tuning parameter; called before other threads exist.
        unsafe { mallopt(M_ARENA_MAX, arenas) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = threads;
        false
    }
}

/// The process's peak resident memory in bytes (`VmHWM`), where the system reports it (Linux).
pub fn peak_resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_arena_limit() {
        assert!(super::keep_arenas(2));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn grows_with_what_the_process_touches() {
        let before = super::peak_resident().expect("Linux reports VmHWM");
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = super::peak_resident().unwrap();
        assert!(after >= before + (60 << 20), "{before} -> {after}");
    }
}
