//! `ashyq`: the command-line shell. Argument parsing and wiring only; every command calls the
//! same library functions the server uses.
//!
//! Exit codes: 0 success; 1 checked and found problems (failed checks, a tie under
//! `--ties error`); 2 error (unreadable or malformed input, bad arguments).

mod commands;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Ashyq: open election results for Kazakhstan — the law as code, a verifiable record,
/// independent verification.
///
/// Exit codes: 0 success; 1 checked and found problems; 2 error.
#[derive(Parser, Debug)]
#[command(name = "ashyq", version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the legal outcome of every contest in an election package.
    Outcome(commands::outcome::OutcomeArgs),
    /// Validate a package and run the protocol arithmetic checks; list every problem with
    /// file:line. Exit 1 if any problem is found.
    Check(commands::check::CheckArgs),
    /// Allocate seats from a CSV of votes by any of eight apportionment methods.
    Allocate(commands::allocate::AllocateArgs),
    /// Print the outcomes of the bundled real elections (examples/).
    Demo(commands::demo::DemoArgs),
    /// Print the rule sets, their parameters and the legal source of every rule.
    Rules(commands::rules::RulesArgs),
    /// Print the catalogue of protocol checks: code, severity, relation, legal basis.
    Checks(commands::rules::ChecksArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match &cli.command {
        Command::Outcome(a) => commands::outcome::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Allocate(a) => commands::allocate::run(a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Rules(a) => commands::rules::run(a),
        Command::Checks(a) => commands::rules::run_checks(a),
    };
    match res {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = std::io::stdout().flush();
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
