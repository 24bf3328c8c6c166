//! `ashyq register`: the voter register — check a register file, generate a synthetic one with
//! planted defects, import the accepted rows into the register database, per-station counts
//! (the protocols' `registered` line) and the salted-hash membership check. The rules are in
//! `ashyq_register`; the SQL in `ashyq_store::register`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ashyq_register::check::{check_file, for_each_accepted, CheckOptions, Stations, CHUNK};
use ashyq_register::generate::{generate_with_progress, Defects, GenerateOptions};
use ashyq_register::privacy::membership_digest;
use ashyq_register::{CheckSummary, Date, Iin, Reason};
use ashyq_store::register::{RegisterStore, RegisterVoter, DEFAULT_REGISTER_URL};

use super::{print, Format};

/// Arguments of `ashyq register`.
#[derive(clap::Args, Debug)]
pub(crate) struct RegisterArgs {
    #[command(subcommand)]
    command: RegisterCommand,
}

#[derive(clap::Subcommand, Debug)]
enum RegisterCommand {
    /// Check a voter register file: every row accepted or rejected for the first failing reason
    /// (invalid_iin, duplicate_iin, birth_date_mismatch, under_18, unknown_station); malformed
    /// lines are reported with their line number. Exit 1 if any row is rejected or malformed.
    ///
    /// VOTERS has the header iin,full_name,birth_date,station (birth_date YYYY-MM-DD), STATIONS
    /// the header station,name. JSON: {"rows","accepted","rejected":{reason:count},"malformed"}.
    Check(CheckArgs),
    /// Check a voter register file and store its accepted rows in the register database (its
    /// own database, never the election record), replacing the previous register. Exit 1 if any
    /// row was rejected (the accepted rows are stored all the same).
    Import(ImportArgs),
    /// Per-station counts of registered voters from the register database: `station,registered`,
    /// or with --contest the protocols' `registered` line as package counts rows
    /// `contest,unit,line,value`.
    Counts(CountsArgs),
    /// Is an IIN on the register, and at which station? Asks by salted digest (as an observer
    /// would) and never prints personal data.
    Membership(MembershipArgs),
    /// Write a synthetic voter register with planted defects (deterministic from --seed):
    /// voters.csv, stations.csv and truth.json, the counts a correct check must find.
    Generate(GenerateArgs),
}

#[derive(clap::Args, Debug)]
struct Source {
    /// The voter register (CSV: iin,full_name,birth_date,station).
    voters: PathBuf,
    /// The polling stations (CSV: station,name).
    #[arg(long)]
    stations: PathBuf,
    /// Election day (YYYY-MM-DD): voters must be 18 on this day.
    #[arg(long)]
    election_date: Date,
    /// Worker threads (default: the machine's cores).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    source: Source,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write every rejected or malformed row to this CSV file: line,reason,detail (the detail
    /// holds personal data: keep the file as safe as the register).
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    #[command(flatten)]
    source: Source,
    /// The register database: sqlite:PATH or postgres://… (never the election record's).
    #[arg(long, env = "ASHYQ_REGISTER", default_value = DEFAULT_REGISTER_URL)]
    register: String,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct CountsArgs {
    /// The register database.
    #[arg(long, env = "ASHYQ_REGISTER", default_value = DEFAULT_REGISTER_URL)]
    register: String,
    /// Print package counts rows (line `registered`) for these contests.
    #[arg(long)]
    contest: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct MembershipArgs {
    /// The register database.
    #[arg(long, env = "ASHYQ_REGISTER", default_value = DEFAULT_REGISTER_URL)]
    register: String,
    /// The IIN to look up (its salted digest is computed here and only the digest is sent).
    #[arg(long, conflicts_with = "digest", required_unless_present = "digest")]
    iin: Option<String>,
    /// A salted digest computed elsewhere (64 hex digits).
    #[arg(long)]
    digest: Option<String>,
}

#[derive(clap::Args, Debug)]
struct GenerateArgs {
    /// Data rows (Kazakhstan has about 12,000,000 voters).
    #[arg(long)]
    rows: u64,
    /// Polling stations (Kazakhstan has about 10,000).
    #[arg(long, default_value_t = 10_000)]
    stations: u32,
    /// Seed: the same arguments give byte-identical files.
    #[arg(long)]
    seed: u64,
    /// Election day the ages are planted against.
    #[arg(long)]
    election_date: Date,
    /// Output folder (created; must be empty unless --force).
    #[arg(long)]
    out: PathBuf,
    /// Write into --out even if it holds files.
    #[arg(long)]
    force: bool,
    /// Planted defects per million rows, in the reasons' order plus malformed:
    /// invalid_iin,duplicate_iin,birth_date_mismatch,under_18,unknown_station,malformed.
    #[arg(long, value_delimiter = ',')]
    defects: Option<Vec<u32>>,
    /// Plant only wrong field counts among the malformed lines, no invalid UTF-8 or unclosed
    /// quotes (for peers such as DuckDB, whose CSV reader cannot reject those line by line).
    #[arg(long)]
    plain_malformed: bool,
}

pub(crate) fn run(args: &RegisterArgs) -> Result<ExitCode> {
    match &args.command {
        RegisterCommand::Check(a) => run_check(a),
        RegisterCommand::Import(a) => run_import(a),
        RegisterCommand::Counts(a) => run_counts(a),
        RegisterCommand::Membership(a) => run_membership(a),
        RegisterCommand::Generate(a) => run_generate(a),
    }
}

fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:40}}] {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, eta {{eta}})"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

fn run_source(source: &Source, report: bool) -> Result<(Stations, CheckSummary)> {
    let stations = Stations::read(&source.stations)?;
    let len = std::fs::metadata(&source.voters)
        .with_context(|| format!("cannot read {}", source.voters.display()))?
        .len();
    let bar = progress_bar(len, "checking");
    let inc = |n: u64| bar.inc(n);
    let threads = source
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZero::get));
    let opts = CheckOptions {
        election_day: source.election_date,
        threads,
        chunk_bytes: CHUNK,
        report,
        progress: Some(&inc),
    };
    let summary = check_file(&source.voters, &stations, &opts)?;
    bar.finish_and_clear();
    Ok((stations, summary))
}

/// The JSON summary: the contract's keys `rows`, `accepted`, `rejected` (every reason, in
/// order), plus `malformed`.
pub(crate) fn summary_json(
    rows: u64,
    accepted: u64,
    rejected: &[u64; 5],
    malformed: u64,
) -> serde_json::Value {
    let mut by_reason = serde_json::Map::new();
    for r in Reason::ALL {
        by_reason.insert(r.name().to_owned(), rejected[r.index()].into());
    }
    serde_json::json!({
        "rows": rows,
        "accepted": accepted,
        "rejected": by_reason,
        "malformed": malformed,
    })
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn summary_text(path: &Path, stations: &Stations, day: Date, s: &CheckSummary) -> String {
    let mut t = format!(
        "{}: {} rows checked against {} polling stations for election day {day}\n",
        path.display(),
        thousands(s.rows),
        thousands(stations.len() as u64)
    );
    let total_rejected: u64 = s.rejected.iter().sum();
    t += &format!("  accepted              {:>12}\n", thousands(s.accepted));
    t += &format!("  rejected              {:>12}\n", thousands(total_rejected));
    for r in Reason::ALL {
        t += &format!("    {:<20}{:>12}\n", r.name(), thousands(s.rejected(r)));
    }
    t += &format!("  malformed             {:>12}\n", thousands(s.malformed));
    t
}

fn exit_for(s: &CheckSummary) -> ExitCode {
    if s.accepted == s.rows {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_check(a: &CheckArgs) -> Result<ExitCode> {
    let (stations, s) = run_source(&a.source, a.report.is_some())?;
    if let Some(path) = &a.report {
        write_report(path, &s)?;
    }
    match a.format {
        Format::Json => {
            print(&format!("{}\n", summary_json(s.rows, s.accepted, &s.rejected, s.malformed)))?
        }
        Format::Text => {
            print(&summary_text(&a.source.voters, &stations, a.source.election_date, &s))?
        }
    }
    Ok(exit_for(&s))
}

fn write_report(path: &Path, s: &CheckSummary) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    w.write_record(["line", "reason", "detail"])?;
    for r in &s.rejections {
        w.write_record([r.line.to_string().as_str(), r.reason_name(), r.detail.as_str()])?;
    }
    w.flush().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn run_import(a: &ImportArgs) -> Result<ExitCode> {
    let (stations, s) = run_source(&a.source, false)?;
    let mut store = RegisterStore::open(&a.register)?;
    let mut salt = [0u8; 32];
    getrandom::getrandom(&mut salt).map_err(|e| anyhow::anyhow!("no random salt: {e}"))?;
    let sha = file_sha256(&a.source.voters)?;
    let station_rows: Vec<(String, String)> = (0..stations.len())
        .map(|i| (stations.id(i).to_owned(), stations.name(i).to_owned()))
        .collect();
    let bar = indicatif::ProgressBar::new(s.accepted);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} storing [{bar:40}] {pos}/{len} voters ({per_sec})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let voters_path = a.source.voters.clone();
    let day = a.source.election_date;
    let stored = store.replace(
        &ashyq_store::register::RegisterImport {
            source_sha256: sha,
            election_date: day.to_string(),
            rows: s.rows,
            accepted: s.accepted,
            salt: hex::encode(salt),
        },
        &station_rows,
        |sink| {
            for_each_accepted(&voters_path, &stations, day, &s, |v| {
                bar.inc(1);
                sink(RegisterVoter {
                    iin: v.iin.as_u64(),
                    full_name: v.full_name,
                    birth_date: v.iin.birth_date().to_string(),
                    station: stations.id(v.station as usize).to_owned(),
                    digest: membership_digest(&salt, v.iin),
                })
                .map_err(|e| e.to_string())
            })
            .map(|_| ())
            .map_err(|e| e.to_string())
        },
    )?;
    bar.finish_and_clear();
    match a.format {
        Format::Json => {
            let mut v = summary_json(s.rows, s.accepted, &s.rejected, s.malformed);
            v["stored"] = stored.into();
            print(&format!("{v}\n"))?;
        }
        Format::Text => {
            let mut t = summary_text(&a.source.voters, &stations, day, &s);
            t += &format!(
                "stored {} voters in the register {}\n",
                thousands(stored),
                redact(&a.register)
            );
            print(&t)?;
        }
    }
    Ok(exit_for(&s))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(p), Some(at)) if at > p => format!("{}://…@{}", &url[..p], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

fn file_sha256(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex::encode(h.finalize()))
}

fn run_counts(a: &CountsArgs) -> Result<ExitCode> {
    let mut store = RegisterStore::open_existing(&a.register)?;
    let counts = store.station_counts()?;
    let mut out = String::new();
    if a.contest.is_empty() {
        out += "station,registered\n";
        for (station, n) in &counts {
            out += &format!("{station},{n}\n");
        }
    } else {
        out += "contest,unit,line,value\n";
        for contest in &a.contest {
            for (station, n) in &counts {
                out += &format!("{contest},{station},registered,{n}\n");
            }
        }
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn run_membership(a: &MembershipArgs) -> Result<ExitCode> {
    let mut store = RegisterStore::open_existing(&a.register)?;
    let digest = match (&a.iin, &a.digest) {
        (Some(iin), _) => {
            let iin = Iin::parse(iin.trim()).with_context(|| format!("--iin {iin}"))?;
            let salt = store.salt()?.context("the register is empty: import one first")?;
            let salt = hex::decode(salt).context("the register's salt is not hex")?;
            membership_digest(&salt, iin)
        }
        (None, Some(d)) => {
            if d.len() != 64 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("--digest must be 64 hex digits");
            }
            d.to_ascii_lowercase()
        }
        (None, None) => bail!("give --iin or --digest"),
    };
    match store.membership(&digest)? {
        Some(station) => {
            print(&format!("registered at polling station {station}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            print("not on the register\n")?;
            Ok(ExitCode::from(1))
        }
    }
}

fn run_generate(a: &GenerateArgs) -> Result<ExitCode> {
    if a.out.read_dir().map(|mut d| d.next().is_some()).unwrap_or(false) && !a.force {
        bail!("{} is not empty (use --force to write into it)", a.out.display());
    }
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let defects = match &a.defects {
        None => Defects::default(),
        Some(v) => {
            if v.len() != 6 || v.iter().map(|&x| u64::from(x)).sum::<u64>() > 1_000_000 {
                bail!("--defects takes 6 numbers per million rows that sum to at most 1,000,000");
            }
            Defects {
                invalid_iin: v[0],
                duplicate_iin: v[1],
                birth_date_mismatch: v[2],
                under_18: v[3],
                unknown_station: v[4],
                malformed: v[5],
            }
        }
    };
    let opts = GenerateOptions {
        rows: a.rows,
        stations: a.stations.max(1),
        seed: a.seed,
        election_day: a.election_date,
        defects,
        encoding_errors: !a.plain_malformed,
    };
    let vp = a.out.join("voters.csv");
    let sp = a.out.join("stations.csv");
    let mut v = BufWriter::with_capacity(
        1 << 20,
        File::create(&vp).with_context(|| format!("cannot write {}", vp.display()))?,
    );
    let mut s = BufWriter::new(
        File::create(&sp).with_context(|| format!("cannot write {}", sp.display()))?,
    );
    let bar = indicatif::ProgressBar::new(a.rows);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} generating [{bar:40}] {pos}/{len} rows ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let truth = generate_with_progress(&opts, &mut v, &mut s, &mut |n| bar.set_position(n))
        .with_context(|| format!("cannot write {}", vp.display()))?;
    bar.finish_and_clear();
    v.flush()?;
    s.flush()?;
    let mut json = summary_json(truth.rows, truth.accepted, &truth.rejected, truth.malformed);
    json["election_date"] = a.election_date.to_string().into();
    json["seed"] = a.seed.into();
    let tp = a.out.join("truth.json");
    std::fs::write(&tp, format!("{json}\n"))
        .with_context(|| format!("cannot write {}", tp.display()))?;
    eprintln!(
        "wrote {}: {} rows ({} accepted by a correct check), {} stations",
        a.out.display(),
        thousands(truth.rows),
        thousands(truth.accepted),
        thousands(u64::from(opts.stations))
    );
    Ok(ExitCode::SUCCESS)
}
