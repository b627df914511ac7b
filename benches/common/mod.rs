//! What the benchmarks share: the configuration and the large database they run on.

use std::path::PathBuf;

use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{Desk, SystemClock};
use complaint_desk::store::Store;

/// The property-management preset.
pub fn config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

/// `COMPLAINT_DESK_BENCH_DB` if set, else a 100,000-complaint demo database in `keep`.
pub fn big_db(keep: &tempfile::TempDir) -> PathBuf {
    if let Ok(path) = std::env::var("COMPLAINT_DESK_BENCH_DB") {
        return PathBuf::from(path);
    }
    let path = keep.path().join("bench.db");
    let store = Store::open(&path).expect("open");
    let mut desk = Desk::new(store, config(), "bench", Box::new(SystemClock)).expect("desk");
    desk.demo(100_000, 1, &mut |_| {}).expect("demo");
    path
}
