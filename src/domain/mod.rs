//! Pure types and rules of the complaint desk: no I/O, no clock (time is an argument).

pub mod agent;
pub mod care;
pub mod complaint;
pub mod duplicate;
pub mod handling;
pub mod import;
pub mod imported;
pub mod library;
pub mod merge;
pub mod names;
pub mod number;
pub mod policy;
pub mod privacy;
pub mod redact;
pub mod related;
pub mod report;
pub mod risk;
pub mod schedule;
pub mod script;
pub mod search;
pub mod secret;
pub mod sites;
pub mod stage;
pub mod suggest;
pub mod summary;
pub mod zone;
