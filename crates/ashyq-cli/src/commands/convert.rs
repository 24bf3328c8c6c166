//! `ashyq convert`: real station-level sources into election packages, and packages into
//! NIST SP 1500-100 CDF (JSON, XML, and XML in Google's civics profile). The converters live in
//! `ashyq_convert`; this module only handles arguments, progress and writing safely (a temporary
//! file or folder next to `--out`, renamed at the end, so a failed conversion leaves nothing
//! behind).

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_convert::cdf::{ExportOptions, OcdIds, ResultsStatus, Translated};
use ashyq_convert::{self as convert, ConvertError, SourceFormat};

use super::load_package;

/// Formats `--from` accepts.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum From {
    /// Russian CEC polling-station CSV (Kobak/Shpilkin layout, any year 2004–2021), gzip or
    /// plain; the election year must be in the file name (russia_2018.csv.gz).
    Izbirkom,
    /// Georgian CEC precinct scrape (foige cec_scrape_proportional.csv[.gz]).
    GeorgiaCec,
    /// A Bulgarian CIK open-data election folder YYYYMMDD/ (riks.csv beside or above it).
    BulgariaCik,
    /// The same folder, machine votes only, as written on the protocols (50_votes_machine):
    /// compare with bulgaria-cik-machine-data using `ashyq compare`.
    BulgariaCikMachineProtocol,
    /// The same folder, machine votes only, from the machines' own records
    /// (50_votes_machine_from_machine_data).
    BulgariaCikMachineData,
    /// NIST SP 1500-100 v2 JSON ElectionReport.
    Cdf,
}

/// Formats `--to` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum To {
    /// NIST SP 1500-100 v2 JSON ElectionReport (precinct level), valid against the NIST JSON
    /// schema; `--from cdf` converts it back to the same package.
    Cdf,
    /// The same report as NIST SP 1500-100 v2 XML, valid against the NIST XSD.
    CdfXml,
    /// The report as XML in Google's civics profile of CDF (what civics_cdf_validator checks:
    /// collections, stable ids, OCD-IDs for every unit that is not a polling station).
    CivicsCdfXml,
}

/// `--status` of an exported report.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Certified by the commission.
    Certified,
    /// A correction of an earlier report.
    Correction,
    /// Before the polls close.
    PreElection,
    /// A recount.
    Recount,
    /// Unofficial, every unit reported.
    UnofficialComplete,
    /// Unofficial, some units still to report.
    UnofficialPartial,
}

impl Status {
    fn cdf(self) -> ResultsStatus {
        match self {
            Status::Certified => ResultsStatus::Certified,
            Status::Correction => ResultsStatus::Correction,
            Status::PreElection => ResultsStatus::PreElection,
            Status::Recount => ResultsStatus::Recount,
            Status::UnofficialComplete => ResultsStatus::UnofficialComplete,
            Status::UnofficialPartial => ResultsStatus::UnofficialPartial,
        }
    }
}

/// Arguments of `ashyq convert`.
///
/// Two directions:
///
///   ashyq convert --from FORMAT INPUT --out PACKAGE   (source → election package folder)
///
///   ashyq convert --to cdf PACKAGE --out FILE.json    (package → NIST CDF JSON)
///
///   ashyq convert --to cdf-xml|civics-cdf-xml PACKAGE --out FILE.xml
///
/// Converted packages have rules = "none" (foreign data: no Kazakh outcome applies) and say in
/// the comment at the top of election.toml where the data came from and which source lines were
/// not mapped. Nothing is written when the input has a problem (exit 2, with file:line: field).
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("direction").required(true).args(["from", "to"])))]
pub(crate) struct ConvertArgs {
    /// Source format of INPUT.
    #[arg(long, value_enum)]
    pub(crate) from: Option<From>,
    /// Target format: read INPUT as a package and write it in this format.
    #[arg(long, value_enum)]
    pub(crate) to: Option<To>,
    /// The file or folder to convert.
    pub(crate) input: PathBuf,
    /// Where to write: a package folder (--from) or a file (--to).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Replace --out if it exists and is not empty.
    #[arg(long)]
    pub(crate) force: bool,
    /// GeneratedDate of an exported CDF report, RFC 3339 with a zone (default: the election day
    /// at 00:00Z, so the same package always gives the same bytes).
    #[arg(long, requires = "to")]
    pub(crate) generated_date: Option<String>,
    /// Status of an exported CDF report.
    #[arg(long, value_enum, requires = "to", default_value = "unofficial-complete")]
    pub(crate) status: Status,
    /// Issuer of an exported CDF report (who publishes it).
    #[arg(long, requires = "to", default_value = "Ashyq")]
    pub(crate) issuer: String,
    /// IssuerAbbreviation of an exported CDF report.
    #[arg(long, requires = "to", default_value = "ashyq")]
    pub(crate) issuer_abbreviation: String,
    /// BCP 47 language of the package's names in an exported CDF report (packages do not
    /// record it; `und` = undetermined; the bundled examples are named in English: `en`).
    #[arg(long, requires = "to", default_value = "und")]
    pub(crate) language: String,
    /// OCD-ID list (CSV with an `id` column, the layout of opencivicdata/ocd-division-ids) of
    /// the divisions whose OCD-IDs an exported report may claim; repeatable. A unit gets the
    /// OCD-ID derived from its place in the tree only if the list has it (a country root
    /// always does).
    #[arg(long, requires = "to")]
    pub(crate) ocd_ids: Vec<PathBuf>,
}

fn is_nonempty(path: &Path) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => fs::read_dir(path).map(|mut d| d.next().is_some()).unwrap_or(true),
        Ok(m) => m.len() > 0 || m.is_file(),
        Err(_) => false,
    }
}

/// A sibling path of `out` for writing before the final rename.
fn temp_sibling(out: &Path) -> PathBuf {
    let name =
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join(format!(".{name}.ashyq-tmp-{}", std::process::id()))
}

/// Replaces `out` with `tmp` (removing an existing `out` only when `force`).
fn commit(tmp: &Path, out: &Path, force: bool) -> Result<()> {
    if out.exists() {
        if !force && is_nonempty(out) {
            bail!("{} appeared while converting; not overwritten (use --force)", out.display());
        }
        if out.is_dir() {
            fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
        } else {
            fs::remove_file(out).with_context(|| format!("removing {}", out.display()))?;
        }
    }
    fs::rename(tmp, out).with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))
}

/// `--to`: a package into a CDF document.
fn export(args: &ConvertArgs, to: To) -> Result<ExitCode> {
    let mut ocd_ids = OcdIds::new();
    for path in &args.ocd_ids {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let list = OcdIds::from_csv(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        for id in list.iter() {
            ocd_ids.insert(id);
        }
    }
    convert::cdf::check_language_tag(&args.language).map_err(|e| anyhow!("--language: {e}"))?;
    let package = load_package(&args.input)?;
    let generated = args
        .generated_date
        .clone()
        .unwrap_or_else(|| format!("{}T00:00:00Z", package.election.date()));
    // The package's names (tagged --language) and their translations from names.csv.
    let names = Translated {
        election: &package.election,
        tree: &package.tree,
        language: args.language.clone(),
    };
    let mut options = ExportOptions::new(&generated, &names, &ocd_ids);
    options.status = args.status.cdf();
    options.issuer = &args.issuer;
    options.issuer_abbreviation = &args.issuer_abbreviation;
    let (election, tree, counts) = (&package.election, &package.tree, &package.counts);
    let (text, what) = match to {
        To::Cdf => {
            let mut text = convert::cdf::export_json_text(election, tree, counts, &options, true)?;
            text.push('\n');
            (text, "NIST SP 1500-100 v2 JSON")
        }
        To::CdfXml => {
            (convert::cdf::export_xml(election, tree, counts, &options)?, "NIST SP 1500-100 v2 XML")
        }
        To::CivicsCdfXml => (
            convert::cdf::export_civics_xml(election, tree, counts, &options)?,
            "CDF XML, Google civics profile",
        ),
    };
    let tmp = temp_sibling(&args.out);
    fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    if let Err(e) = commit(&tmp, &args.out, args.force) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    eprintln!("wrote {} ({what})", args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run(args: &ConvertArgs) -> Result<ExitCode> {
    if !args.force && is_nonempty(&args.out) {
        bail!(
            "{} exists and is not empty; choose another --out or pass --force to replace it",
            args.out.display()
        );
    }
    if let Some(to) = args.to {
        return export(args, to);
    }
    let format = match args.from {
        Some(From::Izbirkom) => SourceFormat::Izbirkom,
        Some(From::GeorgiaCec) => SourceFormat::GeorgiaCec,
        Some(From::BulgariaCik) => SourceFormat::BulgariaCik,
        Some(From::BulgariaCikMachineProtocol) => SourceFormat::BulgariaCikMachineProtocol,
        Some(From::BulgariaCikMachineData) => SourceFormat::BulgariaCikMachineData,
        Some(From::Cdf) => SourceFormat::Cdf,
        None => bail!("give --from FORMAT or --to FORMAT"),
    };
    if !args.input.exists() {
        bail!("{}: no such file or folder", args.input.display());
    }
    let bar = indicatif::ProgressBar::new(0);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(format!("converting {}", args.input.display()));
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let tmp = temp_sibling(&args.out);
    let _ = fs::remove_dir_all(&tmp);
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let res = convert::convert(format, &args.input, &tmp, &mut progress);
    bar.finish_and_clear();
    let summary = match res {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(match e {
                ConvertError::Input(d) => anyhow!(
                    "{} cannot be converted:\n{}",
                    args.input.display(),
                    d.to_string().trim_end()
                ),
                other => anyhow!(other),
            });
        }
    };
    if let Err(e) = commit(&tmp, &args.out, args.force) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    eprintln!(
        "wrote {}: {} units, {} protocols, {} counts{}",
        args.out.display(),
        summary.units,
        summary.protocols,
        summary.counts,
        if summary.empty_protocols > 0 {
            format!(
                "; {} empty protocols (every figure blank) kept as units without counts",
                summary.empty_protocols
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}
