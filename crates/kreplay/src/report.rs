//! Turning errors into messages a user can act on, and exit codes: 2 for a bad recipe or
//! override, 3 for missing data, 1 for anything else.

use std::process::ExitCode;

use kreplay_runner::RunError;

pub fn fail(e: RunError) -> ExitCode {
    match &e {
        RunError::Recipe(r) => {
            eprintln!("error: {}", r.render());
            ExitCode::from(2)
        }
        RunError::DataMissing { .. } => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("  = help: {help}");
            }
            ExitCode::from(3)
        }
        _ => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("  = help: {help}");
            }
            ExitCode::from(1)
        }
    }
}
