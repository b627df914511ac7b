//! The `complaint-desk` binary: parse arguments, then run a command (or the terminal app).

use std::process::ExitCode;

fn main() -> ExitCode {
    complaint_desk::cli::main()
}
