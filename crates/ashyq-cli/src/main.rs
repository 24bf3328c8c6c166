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
    /// Convert real station-level sources (izbirkom, georgia-cec, bulgaria-cik, NIST CDF JSON)
    /// into an election package, or a package into NIST SP 1500-100 CDF (JSON, XML, or XML in
    /// Google's civics profile).
    ///
    /// `ashyq convert --from FORMAT INPUT --out PACKAGE` writes a package folder (rules "none":
    /// foreign data; provenance and unmapped source lines in the comment of election.toml).
    /// `ashyq convert --to cdf PACKAGE --out FILE.json` writes the package's results as a CDF
    /// ElectionReport that `--from cdf` reads back into the same package; `--to cdf-xml` the
    /// same report as NIST XML, `--to civics-cdf-xml` as Google's profile. Nothing is written
    /// when the input has a problem (exit 2, `file:line: field …`); an existing non-empty --out
    /// is replaced only with --force. Mappings: docs/converters.md.
    Convert(commands::convert::ConvertArgs),
    /// Record the bundled real elections (examples/) and a generated station-level election in
    /// the embedded SQLite record, print their certified legal outcomes computed from the stored
    /// protocols, verify the record, and serve the dashboard (address printed; --no-serve exits).
    Demo(commands::demo::DemoArgs),
    /// Print the rule sets, their parameters and the legal source of every rule.
    Rules(commands::rules::RulesArgs),
    /// Print the catalogue of protocol checks: code, severity, relation, legal basis.
    Checks(commands::rules::ChecksArgs),
    /// Generate a synthetic Kazakhstan-shaped election package, optionally with injected ballot
    /// stuffing and integer-percentage rounding (manipulated stations listed in truth.csv).
    Generate(commands::generate::GenerateArgs),
    /// Total every contest up the territorial tree: the root of its territory, or every unit of
    /// a kind (--by region), as csv (contest,unit,line,value), json or text.
    Tally(commands::tally::TallyArgs),
    /// Import an election package into the record (SQLite or PostgreSQL): every protocol row
    /// becomes version 1 of a protocol, in one transaction; prints how many were stored.
    Import(commands::import::ImportArgs),
    /// Recompute every leaf, hash, checkpoint signature and certified total of the record (--db
    /// URL, or an exported folder offline with --record DIR) against the commission's verifier
    /// key and checkpoints published earlier; exit 1 with one line per problem.
    Verify(commands::verify::VerifyArgs),
    /// The log for outsiders: the verifier key, the latest signed checkpoint, inclusion and
    /// consistency proofs (RFC 9162, C2SP checkpoints).
    Log(commands::log::LogArgs),
    /// Serve the record over HTTP: the JSON API under /api/v1 (results, outcome, protocols with
    /// proofs, checkpoints, live events, writes with bearer tokens), until Ctrl-C.
    Serve(commands::serve::ServeArgs),
    /// Bearer tokens of the HTTP API: create (role and scope) or revoke.
    Token(commands::token::TokenArgs),
    /// Write every public document (results per unit, outcome, progress, CSV, CDF, checkpoint) as
    /// immutable files under a versioned folder plus a current.json pointer, for any static host or
    /// CDN.
    Publish(commands::publish::PublishArgs),
    /// Write one election's record as a self-contained folder for offline verification.
    Export(commands::export::ExportArgs),
    /// Enter, correct, double-enter and resolve protocols; history, progress, turnout, certify.
    Protocol(commands::protocol::ProtocolArgs),
    /// Statistical forensics of one contest: integer percentages, fingerprint and Klimek model,
    /// Shpilkin's estimate, digit tests, regions, ranked stations; exit 1 when flagged.
    ///
    /// Runs every method on the polling-station protocols of one contest of any package (any
    /// country, rules "none" allowed): integer percentages against a binomial Monte-Carlo null
    /// (Kobak, Shpilkin & Pshenichnikov 2016), the turnout × leader's-share fingerprint and the
    /// fraud model f_i, f_e, alpha of Klimek et al. (2012), Shpilkin's anomalous-vote estimate,
    /// second-digit, last-digit and 0/5 tests (Mebane) against fixed and resampled nulls, a
    /// per-region breakdown and a ranking of stations. Every method states what it measures and
    /// what it does not prove (--format json, docs/forensics.md). The same package and --seed
    /// give byte-identical output whatever --threads is. --plots DIR writes fingerprint.svg,
    /// turnout.svg and regions.svg.
    ///
    /// Exit codes: 0 nothing flagged; 1 a calibrated test (integer percentages, resampled last
    /// digit or 0/5) flagged the contest at p < 0.001; 2 error.
    Forensics(commands::forensics::ForensicsArgs),
    /// Surveys and exit polls: margins of error, a poll against the official result, pooling.
    ///
    /// `margin` and `compare` take the sample (--n, --percent) and its design: a simple random
    /// sample, an explicit design effect (--deff) or clusters with an intra-cluster correlation
    /// (--clusters, --icc). `compare --official P` exits 1 when the official figure lies outside
    /// the survey's interval. `aggregate POLLS.csv` pools polls (header `name,n,percent`,
    /// optionally `deff`).
    Survey(commands::survey::SurveyArgs),
    /// Compare two packages station by station (official protocols vs observer copies): lines
    /// that differ, stations missing, abs_diff, and the legal outcome under each; or with
    /// --turnout, observers' intraday turnout counts vs the official snapshots.
    Compare(commands::compare::CompareArgs),
    /// Observers' copies of protocols and their own turnout counts, into the record beside the
    /// official protocols (never counted in the official totals): import, turnout, list.
    Observe(commands::observe::ObserveArgs),
    /// Parallel vote tabulation: a stratified sample of stations from a public seed (design), and
    /// estimates with margins of error and a test of the official result (estimate).
    Pvt(commands::pvt::PvtArgs),
    /// Risk-limiting audits: sample sizes and risks (BRAVO, Kaplan-Markov, MACRO), the assertions
    /// that confirm a legal outcome, the commitment bundle, the sample, the evaluation of hand
    /// counts with escalation to a full hand count.
    Audit(commands::audit::AuditArgs),
    /// The voter register: check a register file (IIN, duplicates, birth dates, age 18,
    /// stations), import it into its own database, per-station counts, membership by salted
    /// digest, and a synthetic register with planted defects.
    Register(commands::register::RegisterArgs),
    /// Party registration, party lists and the 30% quota, and the choice of deputies; each
    /// rule with its legal source.
    Party(commands::party::PartyArgs),
    /// Candidate eligibility per office and presidential nomination signatures; each rule with
    /// its legal source.
    Candidate(commands::candidate::CandidateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match &cli.command {
        Command::Outcome(a) => commands::outcome::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Allocate(a) => commands::allocate::run(a),
        Command::Convert(a) => commands::convert::run(a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Rules(a) => commands::rules::run(a),
        Command::Checks(a) => commands::rules::run_checks(a),
        Command::Generate(a) => commands::generate::run(a),
        Command::Tally(a) => commands::tally::run(a),
        Command::Import(a) => commands::import::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Log(a) => commands::log::run(a),
        Command::Serve(a) => commands::serve::run(a),
        Command::Token(a) => commands::token::run(a),
        Command::Publish(a) => commands::publish::run(a),
        Command::Export(a) => commands::export::run(a),
        Command::Protocol(a) => commands::protocol::run(a),
        Command::Forensics(a) => commands::forensics::run(a),
        Command::Survey(a) => commands::survey::run(a),
        Command::Compare(a) => commands::compare::run(a),
        Command::Observe(a) => commands::observe::run(a),
        Command::Pvt(a) => commands::pvt::run(a),
        Command::Audit(a) => commands::audit::run(a),
        Command::Register(a) => commands::register::run(a),
        Command::Party(a) => commands::party::run(a),
        Command::Candidate(a) => commands::candidate::run(a),
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
