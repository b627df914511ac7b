//! complaint-desk: take customer complaints and carry each one to a satisfied close.
//!
//! One core ([`desk::Desk`] over [`store::Store`], rules in [`domain`]) and two front ends:
//! the command line ([`cli`]) and the terminal app ([`tui`]).

pub mod cli;
pub mod config;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod error;
pub mod files;
pub mod i18n;
pub mod log;
pub mod present;
pub mod progress;
pub mod sheet;
pub mod store;
pub mod text;
pub mod tui;
pub mod when;
