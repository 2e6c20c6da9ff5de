//! Turning errors into messages a user can act on, and exit codes: 2 for a bad recipe or
//! override, 3 for missing data, 1 for anything else.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use kreplay_kaggle::KaggleError;
use kreplay_recipe::names::escape_control;
use kreplay_runner::RunError;

/// Everything a command can fail with.
#[derive(Debug)]
pub enum Failure {
    Run(RunError),
    Kaggle(KaggleError),
    Submission(kreplay_submission::SubmissionError),
    /// Nothing went wrong, but the answer is "no" (recipes differ, a file is invalid): the
    /// exit code, with everything already printed.
    Answer(u8),
}

impl From<kreplay_submission::SubmissionError> for Failure {
    fn from(e: kreplay_submission::SubmissionError) -> Self {
        Failure::Submission(e)
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        Failure::Run(e)
    }
}

impl From<kreplay_store::StoreError> for Failure {
    fn from(e: kreplay_store::StoreError) -> Self {
        Failure::Run(e.into())
    }
}

impl From<kreplay_study::StudyError> for Failure {
    fn from(e: kreplay_study::StudyError) -> Self {
        Failure::Run(e.into())
    }
}

impl From<KaggleError> for Failure {
    fn from(e: KaggleError) -> Self {
        Failure::Kaggle(e)
    }
}

impl From<kreplay_recipe::RecipeError> for Failure {
    fn from(e: kreplay_recipe::RecipeError) -> Self {
        Failure::Run(e.into())
    }
}

pub type Result<T = ()> = std::result::Result<T, Failure>;

/// Prints a line to stdout; a reader that went away (`kreplay list | head`) ends the program
/// quietly instead of panicking as `println!` would. Control characters from recipes, data
/// or servers are escaped on the way (see [`escape_control`]).
pub fn out(args: fmt::Arguments) {
    let line = match args.as_str() {
        Some(s) => escape_control(s).into_owned(),
        None => escape_control(&args.to_string()).into_owned(),
    };
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// Prints a line built by this program (already escaped, perhaps styled) as it is.
pub fn out_trusted(line: &str) {
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// `println!` that survives a closed pipe.
#[macro_export]
macro_rules! out {
    () => { $crate::report::out(format_args!("")) };
    ($($t:tt)*) => { $crate::report::out(format_args!($($t)*)) };
}

/// `error:` in bold red where colour is on for stderr.
fn error_label() -> console::StyledObject<&'static str> {
    console::style("error:").for_stderr().red().bold()
}

fn with_help(message: String, help: Option<String>, code: u8) -> ExitCode {
    eprintln!("{} {}", error_label(), escape_control(&message));
    if let Some(help) = help {
        eprintln!("  = help: {}", escape_control(&help));
    }
    ExitCode::from(code)
}

pub fn fail(e: Failure) -> ExitCode {
    match e {
        Failure::Run(RunError::Recipe(r)) => {
            eprintln!("{} {}", error_label(), escape_control(&r.render()));
            ExitCode::from(2)
        }
        Failure::Run(e @ RunError::DataMissing { .. }) => with_help(e.to_string(), e.help(), 3),
        Failure::Run(e) => with_help(e.to_string(), e.help(), 1),
        Failure::Kaggle(e) => with_help(e.to_string(), e.help(), 1),
        Failure::Submission(e) => with_help(e.to_string(), None, 1),
        Failure::Answer(code) => ExitCode::from(code),
    }
}
