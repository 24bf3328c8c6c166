//! `ashyq candidate`: eligibility of candidates for an office (`check`) and the signatures of a
//! presidential nomination (`signatures`). Rules in `ashyq_register::candidates`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use ashyq_register::candidates::{
    check_candidate, check_signatures, regions_required, signatures_required, Office,
};
use ashyq_register::files::{read_candidates, read_regions, read_signatures};
use ashyq_register::finding::any_fails;
use ashyq_register::{Date, Finding, Verdict};

use super::{print, Format};

/// Arguments of `ashyq candidate`.
#[derive(clap::Args, Debug)]
pub(crate) struct CandidateArgs {
    #[command(subcommand)]
    command: CandidateCommand,
}

#[derive(clap::Subcommand, Debug)]
enum CandidateCommand {
    /// Check candidates' files (CSV) against the requirements of an office: age, citizenship,
    /// residence, education, service, language, convictions. A requirement the file does not
    /// answer is reported as undetermined. Exit 1 if a requirement is not met.
    Check(CheckArgs),
    /// Check the signatures of a presidential nomination (CSV region,signatures): at least 1%
    /// of the voters, from at least two thirds of the regions. Exit 1 if not met.
    Signatures(SignaturesArgs),
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Candidates (CSV: name and any of birth_date, citizen, citizen_by_birth, resident_since,
    /// region_resident_since, higher_education, service_years, work_years, kazakh, conviction).
    candidates: PathBuf,
    /// president, mazhilis, maslikhat, senate, rural-akim or kurultai.
    #[arg(long)]
    office: String,
    /// The day ages and years of residence are taken on (e.g. election day).
    #[arg(long)]
    on: Date,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct SignaturesArgs {
    /// Valid signatures per region (CSV region,signatures).
    signatures: PathBuf,
    /// Voters on the register at its reference date (11,827,277 on 1 July 2022).
    #[arg(long)]
    voters: u64,
    /// A package's units.csv: the regions are the root's children.
    #[arg(long)]
    units: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: &CandidateArgs) -> Result<ExitCode> {
    match &args.command {
        CandidateCommand::Check(a) => {
            let Some(office) = Office::from_name(&a.office) else {
                bail!(
                    "unknown office \"{}\"; known: {}",
                    a.office,
                    Office::ALL.map(Office::name).join(", ")
                );
            };
            let candidates = read_candidates(&a.candidates)?;
            let findings: Vec<Finding> =
                candidates.iter().flat_map(|c| check_candidate(c, office, a.on)).collect();
            let head = format!(
                "{}: {} candidate(s) for {} on {}\n",
                a.candidates.display(),
                candidates.len(),
                office.name(),
                a.on
            );
            report(&head, &findings, a.format)
        }
        CandidateCommand::Signatures(a) => {
            let per = read_signatures(&a.signatures)?;
            let regions = read_regions(&a.units)?;
            let findings = check_signatures(&per, a.voters, &regions);
            let head = format!(
                "{}: {} valid signatures from {} regions; required {} (1% of {} voters) from at least {} of {} regions\n",
                a.signatures.display(),
                per.values().sum::<u64>(),
                per.values().filter(|&&n| n > 0).count(),
                signatures_required(a.voters),
                a.voters,
                regions_required(regions.len() as u64),
                regions.len()
            );
            report(&head, &findings, a.format)
        }
    }
}

/// Prints findings as text or JSON (`{"ok":bool,"findings":[{"code","verdict","source",
/// "message"}]}`) and returns exit 1 when any rule fails.
pub(crate) fn report(head: &str, findings: &[Finding], format: Format) -> Result<ExitCode> {
    let fails = any_fails(findings);
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "code": f.code,
                        "verdict": match f.verdict { Verdict::Fails => "fails", Verdict::Undetermined => "undetermined" },
                        "source": f.source,
                        "message": f.message,
                    })
                })
                .collect();
            print(&format!("{}\n", serde_json::json!({ "ok": !fails, "findings": list })))?;
        }
        Format::Text => {
            let mut t = head.to_owned();
            if findings.is_empty() {
                t += "every rule is met\n";
            }
            for f in findings {
                t += &format!("  {f}\n");
            }
            print(&t)?;
        }
    }
    Ok(if fails { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
