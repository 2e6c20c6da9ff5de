//! What the process has used of the machine's memory, so a replay can say it without external
//! tools.

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
    #[cfg(target_os = "linux")]
    fn grows_with_what_the_process_touches() {
        let before = super::peak_resident().expect("Linux reports VmHWM");
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = super::peak_resident().unwrap();
        assert!(after >= before + (60 << 20), "{before} -> {after}");
    }
}
