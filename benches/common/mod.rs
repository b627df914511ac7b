//! What the benchmarks share: the configuration and the large database they run on.

use std::path::{Path, PathBuf};

use complaint_desk::config::{Config, Preset};
use complaint_desk::desk::{Desk, SystemClock};
use complaint_desk::store::Store;

/// The property-management preset.
pub fn config() -> Config {
    Config::preset(Preset::PropertyManagement).expect("preset")
}

/// A desk on `path` acting as `agent`, registered with the first role if new.
pub fn desk_as(path: &Path, agent: &str) -> Desk {
    let mut store = Store::open(path).expect("open");
    store
        .agent_active(agent, "agent", chrono::Utc::now())
        .expect("register");
    Desk::new(store, config(), agent, Box::new(SystemClock)).expect("desk")
}

/// `COMPLAINT_DESK_BENCH_DB` if set (a file, or a `postgres://` URL with the password in
/// `PGPASSWORD`: the same benchmarks then measure PostgreSQL), else a 100,000-complaint demo
/// database in `keep`.
pub fn big_db(keep: &tempfile::TempDir) -> PathBuf {
    if let Ok(path) = std::env::var("COMPLAINT_DESK_BENCH_DB") {
        return PathBuf::from(path);
    }
    let path = keep.path().join("bench.db");
    // Before anyone is registered, as on a fresh install (afterwards the demo takes an
    // agent who may manage agents).
    let store = Store::open(&path).expect("open");
    let mut desk = Desk::new(store, config(), "bench", Box::new(SystemClock)).expect("desk");
    desk.demo(100_000, 1, &mut |_| {}).expect("demo");
    path
}
