//! Standard output for people. A closed pipe (`sealcheck run | head -2`) or a full disk stops
//! the printing, not the work: report files are still written and the exit code still
//! tells the verdict, and nothing panics.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static GONE: AtomicBool = AtomicBool::new(false);

/// Writes to stdout, unless an earlier write failed; the first failure other than a closed
/// pipe is said once on stderr.
pub(super) fn write(args: std::fmt::Arguments<'_>) {
    if GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        GONE.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("sealcheck: cannot write to stdout ({e}); printing stops here");
        }
    }
}
