//! `ashyq allocate`: seat allocation from a CSV of votes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_apportionment::{
    allocate, Allocation, ApportionmentError, Method, Threshold, TieBreak, TiePolicy,
};
use ashyq_core::quote::quote;
use clap::builder::PossibleValuesParser;

use super::print;

/// Arguments of `ashyq allocate`.
///
/// Reads FILE (CSV with header `option,votes`, one row per option in registration
/// order) and prints CSV `option,votes,seats` in the same order. All arithmetic is
/// exact (integers and fractions, no floating point).
///
/// Exit codes: 0 allocated; 1 a tie under `--ties error` (stderr names the tied
/// options and the seats at stake); 2 error (unreadable or malformed file, bad
/// arguments, no option passing the threshold, ...).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Output: CSV `option,votes,seats` on stdout, in input order; ties broken by \
`--ties order` or `--ties lot` are reported on stderr.\n\
Exit codes: 0 allocated; 1 a tie under `--ties error`; 2 error (bad file or arguments)."
)]
pub(crate) struct AllocateArgs {
    /// Apportionment method.
    ///
    /// Quota (largest remainder) methods: `hare` — Hare quota V/S over the options
    /// that passed the threshold, integer parts, then largest remainders (the
    /// Kazakhstan Mazhilis list tier; use `--ties order`); `droop` — Droop quota
    /// floor(V/(S+1))+1, integer parts, then largest remainders. Divisor methods, by
    /// divisor for an option holding s seats: `dhondt` s+1; `sainte-lague` 2s+1;
    /// `modified-sainte-lague` 1.4 then 2s+1; `huntington-hill` sqrt(s(s+1));
    /// `adams` s; `dean` 2s(s+1)/(2s+1).
    #[arg(
        long,
        value_name = "METHOD",
        value_parser = PossibleValuesParser::new(Method::ALL.map(|m| m.name()))
    )]
    pub(crate) method: String,

    /// Number of seats to allocate (the house size), 0 to 1000000.
    #[arg(long, value_name = "N")]
    pub(crate) seats: u32,

    /// Electoral threshold in percent, e.g. `5` or `3.5` (a trailing `%` is
    /// allowed). Parsed exactly as a decimal fraction. An option passes iff its
    /// votes are at least PERCENT% of the threshold base (by default the sum of all
    /// votes in FILE; see --threshold-base); options below it get no seat and are
    /// left out of the quota and the divisors.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub(crate) threshold: Option<Percent>,

    /// The number of votes the --threshold percentage is taken of. Default: the sum
    /// of the votes column of FILE. Set it to count ballots that are in no row of
    /// FILE, e.g. the "against all" votes for the Mazhilis (2023: 6366441).
    #[arg(long, value_name = "N", requires = "threshold")]
    pub(crate) threshold_base: Option<u64>,

    /// What to do when options with exactly equal quotients (or remainders)
    /// compete for fewer seats than there are tied options.
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = TieArg::Error)]
    pub(crate) ties: TieArg,

    /// Seed of the draw for `--ties lot` (required with it). The same file,
    /// arguments and seed always give the same draw (ChaCha20 seeded with S).
    #[arg(long, value_name = "S", required_if_eq("ties", "lot"))]
    pub(crate) seed: Option<u64>,

    /// CSV file with header `option,votes`: one row per option, in registration
    /// order (which `--ties order` follows); votes are non-negative integers; option
    /// names must be unique. Other columns are ignored, but every row has as many fields as
    /// the header (a thousands separator such as 1,000 is an error, not 1).
    ///
    /// Without FILE, or with `-`, the CSV is read from standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
}

/// How to break exact ties.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TieArg {
    /// Stop with exit code 1 and name the tied options and the seats at stake.
    Error,
    /// The option earlier in FILE (registration order) wins.
    Order,
    /// Draw by lot with --seed; the draw is reported on stderr.
    Lot,
}

/// A percentage as an exact fraction `numer/denom` percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Percent {
    numer: u64,
    denom: u64,
}

/// Parses `5`, `3.5`, `0.25`, `7%` exactly; rejects signs, exponents and values
/// above 100.
fn parse_percent(s: &str) -> std::result::Result<Percent, String> {
    let t = s.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim_end();
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let digits_only = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || !digits_only(int_part) || !digits_only(frac_part) {
        return Err(format!("{s:?} is not a percentage like 5 or 3.5"));
    }
    if t.contains('.') && frac_part.is_empty() {
        return Err(format!("{s:?} is not a percentage like 5 or 3.5"));
    }
    let frac_part = frac_part.trim_end_matches('0');
    if frac_part.len() > 12 {
        return Err(format!("{s:?} has more than 12 decimal places"));
    }
    let too_big = || format!("{s:?} is above 100");
    let int: u64 = int_part.parse().map_err(|_| too_big())?;
    let denom = 10u64.pow(frac_part.len() as u32);
    let frac: u64 =
        if frac_part.is_empty() { 0 } else { frac_part.parse().map_err(|_| too_big())? };
    let numer = int.checked_mul(denom).and_then(|x| x.checked_add(frac)).ok_or_else(too_big)?;
    if numer > 100 * denom {
        return Err(too_big());
    }
    let g = gcd(numer, denom);
    Ok(Percent { numer: numer / g, denom: denom / g })
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

struct Row {
    name: String,
    votes: u64,
}

/// Reads and validates the votes file; every error names `FILE:LINE` and the column.
/// The name messages use for the input: the file, or `<stdin>`.
fn input_name(path: Option<&Path>) -> String {
    match path {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "<stdin>".to_owned(),
    }
}

fn read_rows(path: Option<&Path>) -> Result<Vec<Row>> {
    let shown = input_name(path);
    let shown_path = shown.clone();
    let data = match path {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::read(p).with_context(|| format!("{shown}: cannot read the file"))?
        }
        _ => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
                .with_context(|| format!("{shown}: cannot read standard input"))?;
            buf
        }
    };
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        bail!("{shown}: empty file; expected a header line `option,votes`");
    }
    let data = data.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(data);
    let header =
        reader.headers().map_err(|e| anyhow!("{shown}:1: cannot read the header: {e}"))?.clone();
    let column = |name: &str| -> Result<usize> {
        let found: Vec<usize> =
            header.iter().enumerate().filter(|(_, h)| *h == name).map(|(i, _)| i).collect();
        match found.as_slice() {
            [i] => Ok(*i),
            [] => Err(anyhow!(
                "{shown}:1: missing column {name} in the header (found: {}); expected `option,votes`",
                quote(&header.iter().collect::<Vec<_>>().join(","))
            )),
            _ => Err(anyhow!("{shown}:1: column {name} appears more than once in the header")),
        }
    };
    let option_col = column("option")?;
    let votes_col = column("votes")?;

    let mut rows: Vec<Row> = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!(":{}", p.line()));
            anyhow!("{shown}{line}: cannot read the row: {e}")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            let shown: Vec<&str> = record.iter().collect();
            let hint = if record.len() > header.len() {
                "; a thousands separator inside a number (1,000) splits it into two fields: write 1000"
            } else {
                ""
            };
            bail!(
                "{shown_file}:{line}: the row has {} field(s) but the header has {} ({}): {}{hint}",
                record.len(),
                header.len(),
                header.iter().collect::<Vec<_>>().join(","),
                quote(&shown.join(",")),
                shown_file = shown_path,
            );
        }
        let field = |col: usize, name: &str| -> Result<String> {
            match record.get(col) {
                None => Err(anyhow!(
                    "{shown}:{line}: missing value in column {name} (the row has {} field(s), the header {})",
                    record.len(),
                    header.len()
                )),
                Some("") => Err(anyhow!("{shown}:{line}: empty value in column {name}")),
                Some(v) => Ok(v.to_string()),
            }
        };
        let name = field(option_col, "option")?;
        let raw = field(votes_col, "votes")?;
        let votes = if raw.bytes().all(|b| b.is_ascii_digit()) {
            raw.parse::<u64>().map_err(|_| {
                anyhow!(
                    "{shown}:{line}: value {} in column votes is too large (the maximum is {})",
                    quote(&raw),
                    u64::MAX
                )
            })?
        } else {
            bail!(
                "{shown}:{line}: value {} in column votes is not a non-negative integer",
                quote(&raw)
            );
        };
        if let Some(first) = first_line.get(&name) {
            bail!(
                "{shown}:{line}: duplicate option {} in column option (first on line {first})",
                quote(&name)
            );
        }
        first_line.insert(name.clone(), line);
        rows.push(Row { name, votes });
    }
    if rows.is_empty() {
        bail!("{shown}: no rows after the header; expected one row per option");
    }
    Ok(rows)
}

/// `"A"`, `"A" and "B"`, `"A", "B" and "C"`.
fn name_list(rows: &[Row], indices: &[usize]) -> String {
    let names: Vec<String> = indices
        .iter()
        .map(|&i| rows.get(i).map_or_else(|| format!("#{i}"), |r| quote(&r.name)))
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} and {last}", init.join(", ")),
    }
}

fn seats_word(n: u32) -> &'static str {
    if n == 1 {
        "seat"
    } else {
        "seats"
    }
}

/// Runs `ashyq allocate`.
pub(crate) fn run(args: &AllocateArgs) -> Result<ExitCode> {
    let method = Method::from_name(&args.method)
        .ok_or_else(|| anyhow!("unknown method {:?}", args.method))?;
    let policy = match args.ties {
        TieArg::Error => TiePolicy::Error,
        TieArg::Order => TiePolicy::Order,
        TieArg::Lot => {
            TiePolicy::Lot { seed: args.seed.ok_or_else(|| anyhow!("--ties lot requires --seed"))? }
        }
    };
    let rows = read_rows(args.file.as_deref())?;
    let shown = input_name(args.file.as_deref());
    let votes: Vec<u64> = rows.iter().map(|r| r.votes).collect();
    let threshold = match args.threshold {
        None => None,
        Some(p) => {
            let base = match args.threshold_base {
                Some(b) => b,
                None => {
                    let sum: u128 = votes.iter().map(|&v| u128::from(v)).sum();
                    u64::try_from(sum).map_err(|_| {
                        anyhow!(
                            "{}: the votes add up to {sum}, too many for a threshold base; give --threshold-base",
                            shown
                        )
                    })?
                }
            };
            Some(Threshold { percent_numer: p.numer, percent_denom: p.denom, base })
        }
    };
    let allocation = match allocate(&votes, args.seats, method, threshold.as_ref(), &policy) {
        Ok(a) => a,
        Err(ApportionmentError::Tie { options, seats }) => {
            let kind = if method.is_quota_method() { "remainders" } else { "quotients" };
            eprintln!(
                "error: tie between {} for {seats} {}: they have equal {kind}; rerun with \
                 --ties order (earlier row wins) or --ties lot --seed S",
                name_list(&rows, &options),
                seats_word(seats),
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            bail!("{shown}: cannot allocate {} seats by {method}: {e}", args.seats)
        }
    };
    report_ties(&rows, &allocation);

    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["option", "votes", "seats"])?;
    for (row, seats) in rows.iter().zip(&allocation.seats) {
        writer.write_record([row.name.as_str(), &row.votes.to_string(), &seats.to_string()])?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow!("cannot write the output: {e}"))?;
    print(&String::from_utf8_lossy(&bytes))?;
    Ok(ExitCode::SUCCESS)
}

/// Tells on stderr how each tie was broken, so stdout stays plain CSV.
fn report_ties(rows: &[Row], allocation: &Allocation) {
    for tie in &allocation.ties {
        let how = match tie.resolved_by {
            TieBreak::Order => "by registration order".to_string(),
            TieBreak::Lot { seed } => {
                format!("by lot with seed {seed} (drawn order: {})", name_list(rows, &tie.ranking))
            }
        };
        eprintln!(
            "note: tie between {} for {} {} broken {how}: {} won",
            name_list(rows, &tie.tied),
            tie.seats,
            seats_word(tie.seats),
            name_list(rows, &tie.winners),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_parses_exactly() {
        assert_eq!(parse_percent("5"), Ok(Percent { numer: 5, denom: 1 }));
        assert_eq!(parse_percent("3.5"), Ok(Percent { numer: 7, denom: 2 }));
        assert_eq!(parse_percent("7%"), Ok(Percent { numer: 7, denom: 1 }));
        assert_eq!(parse_percent("0.25"), Ok(Percent { numer: 1, denom: 4 }));
        assert_eq!(parse_percent("5.000"), Ok(Percent { numer: 5, denom: 1 }));
        assert_eq!(parse_percent("100"), Ok(Percent { numer: 100, denom: 1 }));
        for bad in
            ["", "-5", "+5", "5.", ".5", "1e2", "abc", "100.5", "5,5", "99999999999999999999"]
        {
            assert!(parse_percent(bad).is_err(), "{bad} should be rejected");
        }
    }
}
