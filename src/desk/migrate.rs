//! Moving a desk from its SQLite file to a PostgreSQL server (`migrate --to`).

use super::Desk;
use super::access::record;
use crate::domain::agent::Permission;
use crate::error::Result;
use crate::store::copy::CopyReport;

impl Desk {
    /// Copies this desk's file into the PostgreSQL database at `url` and verifies the copy
    /// (see [`crate::store::copy`]); `start_over` empties what an interrupted copy left
    /// there. Once agents are registered it takes export_personal_data, as an export does:
    /// the copy holds everyone's personal data. A verified copy is recorded in this file's
    /// timeline (with the head both share). `progress` hears rows done of rows in all.
    pub fn migrate_to(
        &mut self,
        url: &str,
        start_over: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<CopyReport> {
        if !self.needs_first_admin()? {
            self.require(Permission::ExportPersonalData, None)?;
        }
        let report = self
            .store
            .copy_to_postgres(url, None, start_over, progress)?;
        let now = self.clock.now();
        let agent = self.agent.clone();
        let detail = serde_json::json!({ "to": url, "events": report.events, "head": report.head });
        self.store
            .write(|tx| record(tx, now, &agent, None, "migrated", detail))?;
        Ok(report)
    }
}
