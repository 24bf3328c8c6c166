//! `ashyq survey`: margins of error, a survey or exit poll against the official result, and
//! pooling of several polls (`ashyq_forensics::survey`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_forensics::survey::{self, Design, Poll};

use super::{print, Format};

/// Arguments of `ashyq survey`.
#[derive(clap::Args, Debug)]
pub(crate) struct SurveyArgs {
    #[command(subcommand)]
    pub(crate) command: SurveyCommand,
}

/// The sample design shared by `margin` and `compare`.
#[derive(clap::Args, Debug)]
pub(crate) struct DesignArgs {
    /// Respondents.
    #[arg(long)]
    pub(crate) n: u64,
    /// The survey's estimate, percent (e.g. 79.10).
    #[arg(long)]
    pub(crate) percent: f64,
    /// Design effect of a complex sample (1 = simple random sample).
    #[arg(long, conflicts_with_all = ["clusters", "icc"])]
    pub(crate) deff: Option<f64>,
    /// Clusters (e.g. polling stations or settlements sampled); with --icc gives the design
    /// effect 1 + (n/clusters − 1)·icc.
    #[arg(long, requires = "icc")]
    pub(crate) clusters: Option<u64>,
    /// Intra-cluster correlation of the answer (0–1), with --clusters.
    #[arg(long, requires = "clusters")]
    pub(crate) icc: Option<f64>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub(crate) confidence: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

impl DesignArgs {
    fn design(&self) -> Result<Design> {
        Design::new(self.n, self.deff, self.clusters.zip(self.icc), self.confidence)
            .map_err(|e| anyhow!("{e}"))
    }
}

#[derive(clap::Subcommand, Debug)]
pub(crate) enum SurveyCommand {
    /// The margin of error of a percentage from a sample (simple random, or with a design
    /// effect / clusters): normal and Wilson intervals.
    Margin(DesignArgs),
    /// A published survey or exit poll against the official figure: is the official figure
    /// inside the survey's interval? Exit 1 when it is not.
    Compare {
        #[command(flatten)]
        design: DesignArgs,
        /// The official figure, percent (e.g. 77.18).
        #[arg(long)]
        official: f64,
    },
    /// Pools several polls (inverse-variance weights) and tests whether they agree (Cochran's
    /// Q). POLLS.csv has the header `name,n,percent` and optionally `deff`.
    Aggregate {
        /// The polls.
        polls: PathBuf,
        /// Confidence level.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

fn json(v: &impl serde::Serialize) -> Result<()> {
    let mut t = serde_json::to_string_pretty(v)?;
    t.push('\n');
    print(&t)
}

fn describe(m: &survey::Margin) -> String {
    let d = &m.design;
    let design = if d.deff == 1.0 {
        "simple random sample".to_owned()
    } else {
        format!("design effect {:.2}, effective sample {:.0}", d.deff, m.effective_n)
    };
    format!(
        "{:.2}% of {} respondents ({design}): ±{:.2} points at {:.0}% confidence, interval {:.2}–{:.2}% (Wilson {:.2}–{:.2}%)",
        m.percent,
        d.n,
        m.margin,
        100.0 * d.confidence,
        m.interval[0],
        m.interval[1],
        m.wilson[0],
        m.wilson[1]
    )
}

pub(crate) fn run(args: &SurveyArgs) -> Result<ExitCode> {
    match &args.command {
        SurveyCommand::Margin(d) => {
            let m = survey::margin(d.percent, d.design()?).map_err(|e| anyhow!("{e}"))?;
            match d.format {
                Format::Json => json(&m)?,
                Format::Text => print(&format!("{}\n", describe(&m)))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        SurveyCommand::Compare { design, official } => {
            let c = survey::compare(design.percent, design.design()?, *official)
                .map_err(|e| anyhow!("{e}"))?;
            match design.format {
                Format::Json => json(&c)?,
                Format::Text => print(&format!(
                    "survey: {}\nofficial: {:.2}%, {:+.2} points from the survey ({:+.1} standard errors, p = {:.2e}): {} the survey's interval\n{}\n",
                    describe(&c.survey),
                    c.official,
                    c.difference,
                    c.z,
                    c.p_value,
                    if c.inside_interval { "inside" } else { "OUTSIDE" },
                    "(the interval covers sampling error only: question wording, non-response and the gap between intending to vote and voting are not in it)"
                ))?,
            }
            Ok(if c.inside_interval { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        SurveyCommand::Aggregate { polls, confidence, format } => {
            let list = read_polls(polls)?;
            let a = survey::aggregate(&list, *confidence).map_err(|e| anyhow!("{e}"))?;
            match format {
                Format::Json => json(&serde_json::json!({ "polls": list, "pooled": a }))?,
                Format::Text => {
                    let mut s = String::new();
                    for (p, w) in list.iter().zip(&a.weights) {
                        s.push_str(&format!(
                            "{:<30} n {:>6}  {:>6.2}%  deff {:.2}  weight {:>5.1}%\n",
                            p.name, p.n, p.percent, p.deff, w
                        ));
                    }
                    s.push_str(&format!(
                        "pooled: {:.2}% ± {:.2} ({:.2}–{:.2}%), {} polls, effective sample {:.0}\nagreement: Cochran's Q = {:.2} on {} df, p = {:.3}, I² = {:.0}%{}\n",
                        a.percent,
                        a.percent - a.interval[0],
                        a.interval[0],
                        a.interval[1],
                        a.polls,
                        a.effective_n,
                        a.q,
                        a.polls - 1,
                        a.q_p_value,
                        a.i2,
                        if a.q_p_value < 0.05 {
                            " — the polls disagree beyond sampling error; the pooled interval is too narrow"
                        } else {
                            ""
                        }
                    ));
                    print(&s)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads `name,n,percent[,deff]`; errors name file, line and field.
fn read_polls(path: &PathBuf) -> Result<Vec<Poll>> {
    let file = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {file}"))?;
    let headers =
        rdr.headers().with_context(|| format!("{file}:1: cannot read the header"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_name), Some(c_n), Some(c_p)) = (col("name"), col("n"), col("percent")) else {
        bail!("{file}:1: the header must have the columns name, n, percent (and optionally deff)");
    };
    let c_deff = col("deff");
    let mut polls = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| anyhow!("{file}: malformed CSV: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize, name: &str| -> Result<&str> {
            rec.get(i)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| anyhow!("{file}:{line}: field {name} is empty"))
        };
        let n: u64 = field(c_n, "n")?.parse().map_err(|_| {
            anyhow!("{file}:{line}: field n: \"{}\" is not a whole number", &rec[c_n])
        })?;
        let percent: f64 = field(c_p, "percent")?.parse().map_err(|_| {
            anyhow!("{file}:{line}: field percent: \"{}\" is not a number", &rec[c_p])
        })?;
        let deff: f64 = match c_deff.and_then(|c| rec.get(c)).filter(|s| !s.is_empty()) {
            Some(s) => s
                .parse()
                .map_err(|_| anyhow!("{file}:{line}: field deff: \"{s}\" is not a number"))?,
            None => 1.0,
        };
        if n == 0 {
            bail!("{file}:{line}: field n: the sample size must be at least 1");
        }
        if !(0.0..=100.0).contains(&percent) {
            bail!("{file}:{line}: field percent: {percent} is not between 0 and 100");
        }
        if !(deff.is_finite() && deff >= 1.0) {
            bail!("{file}:{line}: field deff: {deff} is below 1");
        }
        polls.push(Poll { name: field(c_name, "name")?.to_owned(), n, percent, deff });
    }
    if polls.is_empty() {
        bail!("{file}: no polls");
    }
    Ok(polls)
}
