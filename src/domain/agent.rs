//! Agents and what their roles permit.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest agent name, in characters.
pub const MAX_AGENT_NAME: usize = 40;

/// A permission beyond taking and handling complaints, granted per role in config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Approve compensation above one's own limit.
    ApproveCompensation,
    /// See a complainant's full phone number.
    RevealPhone,
    /// Open attachments marked confidential.
    ViewConfidential,
    /// Export personal data.
    ExportPersonalData,
    /// Anonymise a complainant on request.
    Anonymise,
    /// Add, disable and reset agents.
    ManageAgents,
    /// Transfer a case another agent handles, or one nobody handles yet (接手).
    TakeOver,
    /// Add closed cases to the case library, edit and publish its cards (典型案例).
    CurateLibrary,
}

/// Checks an agent name (who acts) and returns it trimmed.
pub fn validate_agent_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::new("error.agent_missing"));
    }
    if name.chars().count() > MAX_AGENT_NAME || name.chars().any(char::is_control) {
        return Err(Error::new("error.agent_invalid")
            .arg("value", name.escape_debug())
            .arg("max", MAX_AGENT_NAME));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_names() {
        assert_eq!(validate_agent_name("  王小丽 ").as_deref(), Ok("王小丽"));
        assert_eq!(
            validate_agent_name("").map_err(|e| e.key),
            Err("error.agent_missing")
        );
        assert!(validate_agent_name("a\u{1b}[2J").is_err());
        assert!(validate_agent_name(&"长".repeat(41)).is_err());
    }
}
