//! `ashyq forensics`: the statistical forensics of `ashyq_forensics` on one contest of a
//! package, as text or JSON, with optional SVG figures.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ashyq_forensics::{analyse, Options, Report};

use super::{load_package, print, Format};

/// Arguments of `ashyq forensics`.
///
/// Runs every method on the polling-station protocols of one contest: integer percentages
/// (Kobak et al. 2016), the turnout × leader's-share fingerprint and the fraud model of Klimek
/// et al. (2012), Shpilkin's anomalous-vote estimate, digit tests (Mebane) against fixed and
/// resampled nulls, a per-region breakdown and a ranking of stations. Every method carries a
/// plain statement of what it measures and what it does not prove (docs/forensics.md).
///
/// Exit codes: 0 nothing flagged; 1 a calibrated test (integer percentages, resampled last
/// digit or 0/5) flagged the contest at p < 0.001 (the model estimates and the second digit
/// carry no flag); 2 error.
#[derive(clap::Args, Debug)]
pub(crate) struct ForensicsArgs {
    /// The election package folder (any country; rules "none" is fine).
    pub(crate) package: PathBuf,
    /// The contest to examine (may be omitted when the package has one contest).
    #[arg(long)]
    pub(crate) contest: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Write the figures (fingerprint.svg, turnout.svg, regions.svg) into this folder.
    #[arg(long)]
    pub(crate) plots: Option<PathBuf>,
    /// Seed of the Monte-Carlo and model-fit random streams: same seed, same output.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Monte-Carlo replicates of the integer-percentage null.
    #[arg(long, default_value_t = 1000)]
    pub(crate) replicates: usize,
    /// Worker threads (default: the machine's cores); the results do not depend on it.
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// The option whose share is examined (default: the option with the most votes).
    #[arg(long)]
    pub(crate) leader: Option<String>,
    /// Stations listed in the ranking.
    #[arg(long, default_value_t = 100)]
    pub(crate) top: usize,
}

pub(crate) fn run(args: &ForensicsArgs) -> Result<ExitCode> {
    if args.replicates == 0 {
        bail!("--replicates must be at least 1");
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    if std::io::stderr().is_terminal() {
        spinner.set_message(format!("reading {}", args.package.display()));
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    } else {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let package = load_package(&args.package)?;
    let contests = package.election.contests();
    let contest = match &args.contest {
        Some(id) => package.election.contest_index(id).with_context(|| {
            format!(
                "the package has no contest \"{id}\"; its contests: {}",
                contests.iter().map(|c| c.id().to_string()).collect::<Vec<_>>().join(", ")
            )
        })?,
        None if contests.len() == 1 => 0,
        None => bail!(
            "the package has {} contests; choose one with --contest ({})",
            contests.len(),
            contests.iter().map(|c| c.id().to_string()).collect::<Vec<_>>().join(", ")
        ),
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let options = Options {
        seed: args.seed,
        replicates: args.replicates,
        threads,
        leader: args.leader.clone(),
        top_stations: args.top,
    };
    spinner.set_message("analysing");
    let report =
        analyse(&package.election, &package.tree, &package.counts[contest], contest, &options)
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}: contest \"{}\": {e}",
                    args.package.display(),
                    contests[contest].id()
                )
            })?;
    spinner.finish_and_clear();
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, svg) in [
            ("fingerprint.svg", ashyq_forensics::svg::fingerprint(&report)),
            ("turnout.svg", ashyq_forensics::svg::turnout(&report)),
            ("regions.svg", ashyq_forensics::svg::regions(&report)),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, svg)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    match args.format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&report)?;
            text.push('\n');
            print(&text)?;
        }
        Format::Text => print(&text_report(&report))?,
    }
    Ok(if report.flags.any { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn yes(b: bool) -> &'static str {
    if b {
        "FLAGGED"
    } else {
        "not flagged"
    }
}

/// The readable report.
fn text_report(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let st = &r.stations;
    let _ = writeln!(
        s,
        "Forensics of {} / {} (leader examined: {} \"{}\", share of {}; seed {})",
        r.election, r.contest, r.leader.id, r.leader.name, r.share_base, r.seed
    );
    let _ = writeln!(s, "{} station protocols examined ({} protocol rows, {} summary rows of higher units, {} incomplete, {} stations without any protocol)", st.stations, st.protocols, st.summary_rows, st.incomplete, st.without_protocol);
    let ip = &r.integer_percentages.result;
    let _ = writeln!(
        s,
        "\nInteger percentages (Kobak, Shpilkin & Pshenichnikov 2016) — {}",
        yes(r.flags.integer_percentages)
    );
    let _ = writeln!(s, "  {} stations included ({} < 100 registered, {} without ballots, {} turnout > 99%, {} share > 99% excluded); {} replicates", ip.included, ip.excluded.small, ip.excluded.no_ballots, ip.excluded.turnout_above_99, ip.excluded.share_above_99, ip.replicates);
    for (name, t) in [
        ("turnout or share", &ip.either),
        ("turnout", &ip.turnout),
        ("leader's share", &ip.leader_share),
    ] {
        let _ = writeln!(s, "  {name:<17} observed {:>6}  expected {:>9.1}  excess {:>8.1}  sd {:>6.1}  z {:>6.1}  p {:.4}", t.observed, t.expected, t.excess, t.sd, t.z, t.p_value);
    }
    let _ = writeln!(
        s,
        "\nFingerprint: {} stations in 1-point cells (see --plots)",
        r.fingerprint.result.stations
    );
    match &r.klimek.result {
        Some(k) => {
            let _ = writeln!(s, "\nKlimek et al. 2012 fraud model (an estimate, no test)");
            let _ = writeln!(
                s,
                "  incremental fraud f_i = {:.3}, extreme fraud f_e = {:.3}, alpha = {:.2}",
                k.f_i, k.f_e, k.alpha
            );
            let _ = writeln!(s, "  fair peak: turnout {:.1}% (sd {:.1}), share {:.1}% (sd {:.1}); fit distance {:.2e} (fair model {:.2e}); {} stations", 100.0 * k.fair.tau, 100.0 * k.fair.sigma_tau, 100.0 * k.fair.nu, 100.0 * k.fair.sigma_nu, k.distance, k.distance_fair, k.stations_fitted);
        }
        None => {
            let _ = writeln!(s, "\nKlimek et al. 2012 fraud model: not fitted (fewer than 100 stations with 100+ voters)");
        }
    }
    if let Some(sh) = &r.shpilkin.result {
        let _ = writeln!(s, "\nShpilkin's estimate (an estimate, no test)");
        let _ = writeln!(s, "  turnout peak {:.1}%, clean share {:.2}%, official {:.2}%; anomalous votes {} ({:.1}% of the leader's); corrected share {:.2}%", sh.turnout_peak, sh.clean_share, sh.official_share, sh.anomalous_votes, sh.anomalous_share_of_leader, sh.corrected_share);
    }
    let d = &r.digits.result;
    let _ = writeln!(
        s,
        "\nDigit tests (Mebane), counts ≥ {} at stations with ≥ {} ballots",
        d.min_count, d.min_ballots
    );
    for (name, set) in [("all options", &d.all_options), ("leader", &d.leader)] {
        let _ = writeln!(
            s,
            "  {name}: {} counts{}",
            set.second_digit.counts,
            if name == "all options" {
                format!(
                    " — last digit {}, 0/5 {} (resampled, p < 0.001; the second digit raises no flag)",
                    yes(r.flags.last_digit),
                    yes(r.flags.zero_five)
                )
            } else {
                String::new()
            }
        );
        let _ = writeln!(s, "    second digit: mean {:.3}; classic (Benford {:.3}) p {:.2e}; resampled (expected {:.3}) p {:.4}", set.second_digit.mean, set.second_digit.classic.mean, set.second_digit.classic.p_value, set.second_digit.resampled.mean, set.second_digit.resampled.p_value);
        let _ = writeln!(
            s,
            "    last digit:   classic (uniform) p {:.2e}; resampled p {:.4}",
            set.last_digit.classic.p_value, set.last_digit.resampled.p_value
        );
        let _ = writeln!(
            s,
            "    ending in 0/5: {:.2}% (classic 20%: p {:.2e}; resampled {:.2}%: p {:.4})",
            100.0 * set.zero_five.share,
            set.zero_five.classic_p_value,
            100.0 * set.zero_five.resampled_share,
            set.zero_five.resampled_p_value
        );
    }
    let _ = writeln!(
        s,
        "\nRegions (integer-percentage excess z-score, turnout, leader's share, anomalous votes)"
    );
    let mut regs: Vec<_> = r.regions.result.list.iter().collect();
    regs.sort_by(|a, b| b.integer_z.total_cmp(&a.integer_z));
    for g in regs.iter().take(15) {
        let _ = writeln!(
            s,
            "  {:<40} z {:>6.1}  turnout {:>5.1}%  share {:>5.1}%  anomalous {:>9}  ({} stations)",
            g.name.chars().take(40).collect::<String>(),
            g.integer_z,
            g.turnout,
            g.leader_share,
            g.anomalous_votes,
            g.stations
        );
    }
    if regs.len() > 15 {
        let _ = writeln!(s, "  … {} more regions in --format json", regs.len() - 15);
    }
    let _ = writeln!(s, "\nMost anomalous stations (combined score; worth checking against observers' copies, not proof)");
    for x in r.stations_ranked.result.list.iter().take(10) {
        let _ = writeln!(
            s,
            "  {:>3}. {} ({}) turnout {:.1}%, share {:.1}%, score {:.1}: {}",
            x.rank,
            x.id,
            x.name,
            x.turnout,
            x.leader_share,
            x.score,
            x.reasons.join("; ")
        );
    }
    let _ = writeln!(s, "\nWhat these do and do not prove: docs/forensics.md, and the \"statement\" of every method in --format json.");
    s
}
