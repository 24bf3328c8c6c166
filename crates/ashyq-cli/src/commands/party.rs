//! `ashyq party`: party registration (`check`), party lists and the 30% quota (`list`), and
//! the party's choice of deputies after the results (`mandates`). Rules in
//! `ashyq_register::{parties, lists}`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use ashyq_register::files::{read_list, read_names, read_party, read_regions};
use ashyq_register::lists::{
    check_list, check_mandates, in_quota_group, max_list_length, quota_minimum, MandateChoice,
};
use ashyq_register::parties::{check_party, PartyRules};
use ashyq_register::Date;

use super::Format;

/// Arguments of `ashyq party`.
#[derive(clap::Args, Debug)]
pub(crate) struct PartyArgs {
    #[command(subcommand)]
    command: PartyCommand,
}

#[derive(clap::Subcommand, Debug)]
enum PartyCommand {
    /// Check a party's registration file (TOML): members, initiative group, founding congress,
    /// a branch of enough members in every region, branch deadlines. Exit 1 if a rule fails.
    Check(CheckArgs),
    /// Check a party list (CSV name,member,woman,birth_date,disability): members only, at most
    /// seats + 30%, at least 30% women, under-29s and persons with disabilities combined.
    List(ListArgs),
    /// Check the deputies a party chose for its mandates: as many as it won, from its list,
    /// at least 30% in the quota group, within 10 days of the results.
    Mandates(MandatesArgs),
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// The party's registration file (TOML, see docs/registers.md).
    party: PathBuf,
    /// A package's units.csv: the regions are the root's children (20 since June 2022).
    #[arg(long)]
    units: PathBuf,
    /// The day of the check (a branch not yet registered fails only once its term is over).
    #[arg(long)]
    on: Date,
    /// Thresholds: kz-2022 (5,000 / 200 / 700, 3 and 12 months) or kz-2007 (before 2022).
    #[arg(long, default_value = "kz-2022")]
    rules: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    /// The party list (CSV name,member,woman,birth_date,disability; flags yes/no).
    list: PathBuf,
    /// Seats of the contest (69 for the Mazhilis list tier since 2023).
    #[arg(long)]
    seats: u64,
    /// The day ages are taken on ("under 29"): the law's reference day is not in the sources,
    /// so it is stated here (e.g. election day).
    #[arg(long)]
    on: Date,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct MandatesArgs {
    /// The party list (as for `ashyq party list`).
    list: PathBuf,
    /// The names chosen, one per line.
    #[arg(long)]
    chosen: PathBuf,
    /// Mandates the party won.
    #[arg(long)]
    won: u64,
    /// The day the CEC established the results.
    #[arg(long)]
    results: Date,
    /// The day the party's governing body decided.
    #[arg(long)]
    decided: Date,
    /// The day ages are taken on.
    #[arg(long)]
    on: Date,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: &PartyArgs) -> Result<ExitCode> {
    match &args.command {
        PartyCommand::Check(a) => {
            let Some(rules) = PartyRules::from_name(&a.rules) else {
                bail!("unknown rules \"{}\"; known: kz-2022, kz-2007", a.rules);
            };
            let app = read_party(&a.party)?;
            let regions = read_regions(&a.units)?;
            let findings = check_party(&app, &regions, &rules, a.on);
            let head = format!(
                "{}: party {} with {} members, {} branches for {} regions, rules {}\n",
                a.party.display(),
                app.name,
                app.members,
                app.branches.len(),
                regions.len(),
                rules.name
            );
            super::candidate::report(&head, &findings, a.format)
        }
        PartyCommand::List(a) => {
            let list = read_list(&a.list)?;
            let findings = check_list(&list, a.seats, a.on);
            let n = list.len() as u64;
            let q = list.iter().filter(|c| in_quota_group(c, a.on)).count();
            let head = format!(
                "{}: {n} candidates for {} seats (at most {}); {q} women, under-29s or persons with disabilities (at least {})\n",
                a.list.display(),
                a.seats,
                max_list_length(a.seats),
                quota_minimum(n)
            );
            super::candidate::report(&head, &findings, a.format)
        }
        PartyCommand::Mandates(a) => {
            let list = read_list(&a.list)?;
            let chosen = read_names(&a.chosen)?;
            let choice =
                MandateChoice { won: a.won, chosen, results: a.results, decided: a.decided };
            let findings = check_mandates(&list, &choice, a.on);
            let head = format!(
                "{}: {} deputies chosen for {} mandates on {} (results {})\n",
                a.chosen.display(),
                choice.chosen.len(),
                a.won,
                a.decided,
                a.results
            );
            super::candidate::report(&head, &findings, a.format)
        }
    }
}
