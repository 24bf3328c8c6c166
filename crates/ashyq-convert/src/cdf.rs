//! NIST SP 1500-100 Election Results Common Data Format, version 2, JSON (NIST, 2019; schema
//! `NIST_V2_election_results_reporting.json` in github.com/usnistgov/ElectionResultsReporting).
//!
//! Import: `ElectionReport` → one `Election` → its `Contest`s (`CandidateContest`,
//! `PartyContest`, `BallotMeasureContest`) → `BallotSelection`s → `VoteCounts` per `GpUnitId`;
//! the territorial tree comes from the report's `GpUnit`s linked by `ComposingGpUnitIds`.
//! Export ([`export_cdf`]): a package's results as such a report. Whatever Ashyq needs and CDF
//! has no field for (contest kind, seats, option ids, protocol lines other than ballots cast and
//! rejected …) travels in schema-valid extension points — `ExternalIdentifier` with
//! `Type = "other"`, `OtherType = "ashyq-…"`, and `SummaryCounts` with `Type = "other"`,
//! `OtherType = "ashyq-<line>"`, value in `BallotsCast` — so that an exported package converts
//! back to the same package. `docs/converters.md` lists every mapping.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use ashyq_core::election::{ContestInfo, ContestKind, OptionInfo, OptionKind};
use ashyq_core::ids::check_id_syntax;
use ashyq_core::line::{Line, ProtocolLine};
use serde_json::{json, Map, Value};

use super::{display_name, open_input, ConvertError, Draft, Progress};
use ashyq_package::Package;
use ashyq_package::{Diagnostic, Diagnostics};

const EXT_PREFIX: &str = "ashyq-";

/// A JSON value with its path in the document, for precise diagnostics.
#[derive(Clone, Copy)]
struct At<'a> {
    v: &'a Value,
}

struct Ctx {
    file: String,
}

impl Ctx {
    fn err(&self, path: &str, message: impl Into<String>) -> ConvertError {
        let mut d = Diagnostics::default();
        let message = message.into();
        d.push(Diagnostic {
            file: self.file.clone(),
            line: None,
            field: Some(path.to_owned()),
            message: format!("{path}: {message}"),
        });
        ConvertError::Input(d)
    }

    fn str<'a>(&self, obj: At<'a>, path: &str, key: &str) -> Result<&'a str, ConvertError> {
        match obj.v.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(self.err(&format!("{path}.{key}"), "is not a string")),
            None => Err(self.err(path, format!("lacks the required field {key}"))),
        }
    }

    fn arr<'a>(&self, obj: At<'a>, path: &str, key: &str) -> Result<&'a [Value], ConvertError> {
        match obj.v.get(key) {
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(self.err(&format!("{path}.{key}"), "is not an array")),
            None => Ok(&[]),
        }
    }

    /// First `Content` of an `InternationalizedText`, or a plain string.
    fn text(&self, obj: At<'_>, path: &str, key: &str) -> Result<Option<String>, ConvertError> {
        match obj.v.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v @ Value::Object(_)) => {
                let texts = self.arr(At { v }, &format!("{path}.{key}"), "Text")?;
                match texts.first().and_then(|t| t.get("Content")).and_then(Value::as_str) {
                    Some(s) => Ok(Some(s.to_owned())),
                    None => Err(self
                        .err(&format!("{path}.{key}.Text"), "has no LanguageString with Content")),
                }
            }
            Some(_) => {
                Err(self
                    .err(&format!("{path}.{key}"), "is neither text nor an InternationalizedText"))
            }
        }
    }

    fn count(&self, v: Option<&Value>, path: &str) -> Result<Option<u64>, ConvertError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                if let Some(u) = n.as_u64() {
                    return Ok(Some(u));
                }
                match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 => Ok(Some(f as u64)),
                    _ => Err(self.err(path, format!("{n} is not a non-negative whole number"))),
                }
            }
            Some(_) => Err(self.err(path, "is not a number")),
        }
    }
}

/// `ExternalIdentifier`s of type other named `ashyq-…`, as (name without prefix → value).
fn ashyq_ext(obj: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(Value::Array(ids)) = obj.get("ExternalIdentifier") {
        for e in ids {
            let other = e.get("OtherType").and_then(Value::as_str).unwrap_or("");
            if let (Some(name), Some(v)) =
                (other.strip_prefix(EXT_PREFIX), e.get("Value").and_then(Value::as_str))
            {
                out.insert(name.to_owned(), v.to_owned());
            }
        }
    }
    out
}

/// Makes a CDF `@id` into an Ashyq id: disallowed characters become `-`, at most 128 chars.
fn sanitize(id: &str) -> String {
    let mut s: String =
        id.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
    if s.is_empty() {
        s.push('x');
    }
    s.truncate(128);
    s
}

fn unique(used: &mut HashSet<String>, base: String) -> String {
    let mut id = base.clone();
    let mut k = 2;
    while !used.insert(id.clone()) {
        id = format!("{}-{k}", &base[..base.len().min(120)]);
        k += 1;
    }
    id
}

const YES: &[&str] = &["yes", "да", "иә", "ja", "oui", "sí", "si", "tak", "igen", "так", "ano"];
const NO: &[&str] = &["no", "нет", "жоқ", "nein", "non", "nie", "nem", "ні", "ne"];

pub(crate) fn read(path: &Path, progress: Progress<'_>) -> Result<Draft, ConvertError> {
    let file = display_name(path);
    let input = open_input(path)?;
    let size = input.size;
    let root: Value = serde_json::from_reader(input.reader).map_err(|e| {
        ConvertError::at(&file, e.line() as u64, None, format!("invalid JSON: {e}"))
    })?;
    progress(size, size);
    let cx = Ctx { file: file.clone() };
    let report = At { v: &root };
    if !root.is_object() {
        return Err(cx.err("$", "is not a JSON object (an ElectionReport)"));
    }
    if let Some(t) = root.get("@type").and_then(Value::as_str) {
        if t != "ElectionResults.ElectionReport" {
            return Err(
                cx.err("$.@type", format!("is \"{t}\", not ElectionResults.ElectionReport"))
            );
        }
    }
    let elections = cx.arr(report, "$", "Election")?;
    let election = match elections {
        [e] => At { v: e },
        [] => return Err(cx.err("$.Election", "is missing or empty: the report holds no election")),
        _ => {
            return Err(cx.err(
                "$.Election",
                format!(
                    "holds {} elections; a package holds one: split the report",
                    elections.len()
                ),
            ))
        }
    };
    let ep = "$.Election[0]";

    // Territorial tree: GpUnits in document order; parent = first unit composing it.
    let gp = cx.arr(report, "$", "GpUnit")?;
    let mut draft = Draft::new(&file);
    let mut unit_id: HashMap<String, String> = HashMap::new(); // CDF @id → Ashyq id
    let mut used = HashSet::new();
    let mut parent_of: HashMap<String, String> = HashMap::new(); // CDF ids
    let mut multi_parent = 0usize;
    for (i, u) in gp.iter().enumerate() {
        let p = format!("$.GpUnit[{i}]");
        let cdf_id = cx.str(At { v: u }, &p, "@id")?;
        let ext = ashyq_ext(u);
        let base = ext
            .get("id")
            .cloned()
            .filter(|s| check_id_syntax(s).is_ok())
            .unwrap_or_else(|| sanitize(cdf_id));
        if unit_id.contains_key(cdf_id) {
            return Err(
                cx.err(&format!("{p}.@id"), format!("\"{cdf_id}\" is used by an earlier GpUnit"))
            );
        }
        unit_id.insert(cdf_id.to_owned(), unique(&mut used, base));
        for (j, c) in cx.arr(At { v: u }, &p, "ComposingGpUnitIds")?.iter().enumerate() {
            let Some(c) = c.as_str() else {
                return Err(cx.err(&format!("{p}.ComposingGpUnitIds[{j}]"), "is not a string"));
            };
            if parent_of.contains_key(c) {
                multi_parent += 1;
            } else {
                parent_of.insert(c.to_owned(), cdf_id.to_owned());
            }
        }
    }
    for (i, u) in gp.iter().enumerate() {
        let p = format!("$.GpUnit[{i}]");
        let cdf_id = cx.str(At { v: u }, &p, "@id")?;
        let id = unit_id[cdf_id].clone();
        let parent = match parent_of.get(cdf_id) {
            Some(pid) => match unit_id.get(pid) {
                Some(x) => x.clone(),
                None => String::new(),
            },
            None => String::new(),
        };
        let ty = u.get("Type").and_then(Value::as_str).unwrap_or("");
        let kind = match (ty, u.get("OtherType").and_then(Value::as_str)) {
            ("other", Some(o)) | ("", Some(o)) => o.to_owned(),
            ("", None)
                if u.get("@type").and_then(Value::as_str)
                    == Some("ElectionResults.ReportingDevice") =>
            {
                "reporting-device".to_owned()
            }
            ("", None) => "unit".to_owned(),
            (t, _) => t.to_owned(),
        };
        let name = u.get("Name").and_then(Value::as_str).unwrap_or(cdf_id).to_owned();
        draft.unit(&id, &parent, &kind, &name);
    }
    for c in parent_of.keys() {
        if !unit_id.contains_key(c) {
            return Err(cx.err(
                "$.GpUnit",
                format!("ComposingGpUnitIds names \"{c}\", which is not a GpUnit"),
            ));
        }
    }
    let resolve_unit = |cdf: &str, path: &str| -> Result<usize, ConvertError> {
        unit_id
            .get(cdf)
            .and_then(|id| draft.unit_index(id))
            .ok_or_else(|| cx.err(path, format!("\"{cdf}\" is not a GpUnit of the report")))
    };
    let scope = cx.str(election, ep, "ElectionScopeId")?;
    resolve_unit(scope, &format!("{ep}.ElectionScopeId"))?;

    // Parties and candidates by @id.
    let mut parties: HashMap<&str, &Value> = HashMap::new();
    for (i, p) in cx.arr(report, "$", "Party")?.iter().enumerate() {
        parties.insert(cx.str(At { v: p }, &format!("$.Party[{i}]"), "@id")?, p);
    }
    let mut candidates: HashMap<&str, &Value> = HashMap::new();
    for (i, c) in cx.arr(election, ep, "Candidate")?.iter().enumerate() {
        candidates.insert(cx.str(At { v: c }, &format!("{ep}.Candidate[{i}]"), "@id")?, c);
    }

    let eext = ashyq_ext(election.v);
    let name = cx.text(election, ep, "Name")?.unwrap_or_default();
    let date = match election
        .v
        .get("StartDate")
        .or_else(|| election.v.get("EndDate"))
        .and_then(Value::as_str)
    {
        Some(d) => d.get(..10).unwrap_or(d).to_owned(),
        None => return Err(cx.err(ep, "lacks the required field StartDate")),
    };
    let mut contest_ids = HashSet::new();
    let mut rows_all = Vec::new();
    let mut contests = Vec::new();
    let mut ignored_types: BTreeMap<String, u64> = BTreeMap::new();
    for (ci, c) in cx.arr(election, ep, "Contest")?.iter().enumerate() {
        let cp = format!("{ep}.Contest[{ci}]");
        let co = At { v: c };
        let ty = cx.str(co, &cp, "@type")?;
        let ext = ashyq_ext(c);
        let cdf_id = cx.str(co, &cp, "@id")?;
        let id =
            unique(&mut contest_ids, ext.get("id").cloned().unwrap_or_else(|| sanitize(cdf_id)));
        let district = cx.str(co, &cp, "ElectoralDistrictId")?;
        let territory_idx = resolve_unit(district, &format!("{cp}.ElectoralDistrictId"))?;
        let territory = draft.units[territory_idx].id.clone();
        let number_elected = c.get("NumberElected").and_then(Value::as_i64);
        let kind = match ext.get("kind").map(String::as_str) {
            Some(k) => match ContestKind::from_name(k) {
                Some(k) => k,
                None => {
                    return Err(cx.err(
                        &cp,
                        format!("ExternalIdentifier ashyq-kind \"{k}\" is not a contest kind"),
                    ))
                }
            },
            None => match ty {
                "ElectionResults.BallotMeasureContest" => ContestKind::Referendum,
                "ElectionResults.PartyContest" => ContestKind::PartyList,
                "ElectionResults.CandidateContest" => {
                    if c.get("VoteVariation").and_then(Value::as_str) == Some("proportional") {
                        ContestKind::PartyList
                    } else if number_elected.unwrap_or(1) != 1 {
                        return Err(cx.err(&format!("{cp}.NumberElected"), "is not 1: Ashyq has no multi-winner candidate contest (only party lists)"));
                    } else if district == scope {
                        ContestKind::Presidential
                    } else {
                        ContestKind::SingleMember
                    }
                }
                "ElectionResults.RetentionContest" => {
                    return Err(
                        cx.err(&format!("{cp}.@type"), "RetentionContest has no Ashyq counterpart")
                    )
                }
                other => {
                    return Err(cx
                        .err(&format!("{cp}.@type"), format!("\"{other}\" is not a contest type")))
                }
            },
        };
        let seats = match kind {
            ContestKind::PartyList => match ext.get("seats").and_then(|s| s.parse::<i64>().ok()).or(number_elected) {
                Some(s) => Some(s),
                None => return Err(cx.err(&cp, "a party contest needs its number of seats: NumberElected, or ExternalIdentifier ashyq-seats")),
            },
            _ => None,
        };
        let num_ext = |k: &str| ext.get(k).and_then(|s| s.parse::<i64>().ok());
        // Options.
        let mut options = Vec::new();
        let mut option_used = HashSet::new();
        let selections = cx.arr(co, &cp, "BallotSelection")?;
        for (si, s) in selections.iter().enumerate() {
            let sp = format!("{cp}.BallotSelection[{si}]");
            let so = At { v: s };
            let sty = s.get("@type").and_then(Value::as_str).unwrap_or("");
            let sid = cx.str(so, &sp, "@id")?;
            let (base, name, okind, registered, list_length) = if sty
                == "ElectionResults.BallotMeasureSelection"
                || s.get("Selection").is_some()
            {
                let text = cx.text(so, &sp, "Selection")?.unwrap_or_default();
                let last = sid.rsplit(':').next().unwrap_or(sid).to_lowercase();
                let t = text.trim().to_lowercase();
                let base = if kind == ContestKind::Referendum
                    && (last == "yes" || YES.contains(&t.as_str()))
                {
                    "yes".to_owned()
                } else if kind == ContestKind::Referendum
                    && (last == "no" || NO.contains(&t.as_str()))
                {
                    "no".to_owned()
                } else {
                    sanitize(sid)
                };
                (base, text, None, None, None)
            } else {
                let (key, table, list_path) = if s.get("PartyIds").is_some() {
                    ("PartyIds", &parties, "$.Party")
                } else {
                    ("CandidateIds", &candidates, "Candidate")
                };
                let ids = cx.arr(so, &sp, key)?;
                let Some(first) = ids.first().and_then(Value::as_str) else {
                    return Err(cx.err(&sp, "has neither CandidateIds, PartyIds nor Selection"));
                };
                let Some(obj) = table.get(first) else {
                    return Err(cx.err(
                        &format!("{sp}.{key}[0]"),
                        format!("\"{first}\" is not in {list_path}"),
                    ));
                };
                let oext = ashyq_ext(obj);
                let label = if key == "PartyIds" { "Name" } else { "BallotName" };
                let name =
                    cx.text(At { v: obj }, list_path, label)?.unwrap_or_else(|| first.to_owned());
                let base = oext.get("id").cloned().unwrap_or_else(|| sanitize(first));
                let okind = oext.get("option-kind").cloned();
                let registered = oext.get("registered").and_then(|r| r.parse::<i64>().ok());
                let list_length = oext.get("list-length").and_then(|r| r.parse::<i64>().ok());
                (base, name, okind, registered, list_length)
            };
            let base = if ProtocolLine::from_name(&base).is_some() {
                format!("option-{base}")
            } else {
                base
            };
            options.push(OptionInfo {
                id: unique(&mut option_used, base),
                name,
                registered,
                kind: okind,
                list_length,
            });
        }
        let info = ContestInfo {
            id: id.clone(),
            kind: kind.name().to_owned(),
            name: Some(c.get("Name").and_then(Value::as_str).unwrap_or(&id).to_owned()),
            body: ext.get("body").cloned(),
            territory,
            seats,
            constitutional: ext
                .get("constitutional")
                .map(|v| v == "true")
                .or((kind == ContestKind::Referendum).then_some(true)),
            unit_test: ext.get("unit-test").cloned(),
            round: num_ext("round"),
            threshold_percent: ext.get("threshold-percent").cloned(),
            reported_units_in_favour: num_ext("reported-units-in-favour"),
            options,
        };
        // Counts.
        let n_cols = ProtocolLine::COUNT + info.options.len();
        let mut rows: BTreeMap<usize, Vec<Option<u64>>> = BTreeMap::new();
        for (si, s) in selections.iter().enumerate() {
            let sp = format!("{cp}.BallotSelection[{si}]");
            let mut totals: BTreeMap<usize, u64> = BTreeMap::new();
            let mut parts: BTreeMap<usize, u64> = BTreeMap::new();
            for (vi, vc) in cx.arr(At { v: s }, &sp, "VoteCounts")?.iter().enumerate() {
                let vp = format!("{sp}.VoteCounts[{vi}]");
                let Some(g) = vc.get("GpUnitId").and_then(Value::as_str) else {
                    return Err(cx.err(
                        &vp,
                        "lacks GpUnitId: Ashyq needs to know where each count was made",
                    ));
                };
                let unit = resolve_unit(g, &format!("{vp}.GpUnitId"))?;
                let Some(n) = cx.count(vc.get("Count"), &format!("{vp}.Count"))? else {
                    return Err(cx.err(&vp, "lacks Count"));
                };
                let t = vc.get("Type").and_then(Value::as_str).unwrap_or("total");
                let target = if t == "total" { &mut totals } else { &mut parts };
                if t == "total" && target.contains_key(&unit) {
                    return Err(cx.err(&vp, format!("a second total count for GpUnit \"{g}\"")));
                }
                let e = target.entry(unit).or_insert(0);
                *e = e.checked_add(n).ok_or_else(|| cx.err(&vp, "sum overflows"))?;
                if t != "total" {
                    *ignored_types.entry(t.to_owned()).or_insert(0) += 0;
                }
            }
            for (unit, v) in parts {
                totals.entry(unit).or_insert(v);
            }
            for (unit, v) in totals {
                rows.entry(unit).or_insert_with(|| vec![None; n_cols])[ProtocolLine::COUNT + si] =
                    Some(v);
            }
        }
        let mut has_registered = false;
        for (ki, sc) in cx.arr(co, &cp, "SummaryCounts")?.iter().enumerate() {
            let kp = format!("{cp}.SummaryCounts[{ki}]");
            let Some(g) = sc.get("GpUnitId").and_then(Value::as_str) else { continue };
            let unit = resolve_unit(g, &format!("{kp}.GpUnitId"))?;
            let t = sc.get("Type").and_then(Value::as_str).unwrap_or("");
            let mut set = |line: ProtocolLine, key: &str| -> Result<(), ConvertError> {
                if let Some(v) = cx.count(sc.get(key), &format!("{kp}.{key}"))? {
                    let row = rows.entry(unit).or_insert_with(|| vec![None; n_cols]);
                    if row[line.column()].replace(v).is_some() {
                        return Err(cx.err(
                            &kp,
                            format!("a second value of {} for GpUnit \"{g}\"", line.name()),
                        ));
                    }
                }
                Ok(())
            };
            match (
                t,
                sc.get("OtherType")
                    .and_then(Value::as_str)
                    .and_then(|o| o.strip_prefix(EXT_PREFIX)),
            ) {
                ("total", _) => {
                    set(ProtocolLine::BallotsIssued, "BallotsCast")?;
                    set(ProtocolLine::Invalid, "BallotsRejected")?;
                }
                ("other", Some(line)) => match ProtocolLine::from_name(line) {
                    Some(l) => {
                        has_registered |= l == ProtocolLine::Registered;
                        set(l, "BallotsCast")?;
                    }
                    None => {
                        return Err(cx.err(
                            &format!("{kp}.OtherType"),
                            format!("\"ashyq-{line}\" names no protocol line"),
                        ))
                    }
                },
                _ => {}
            }
        }
        if !has_registered {
            // Third-party reports: the unit's VotersRegistered, for the units this contest counts at.
            for (i, u) in gp.iter().enumerate() {
                if let Some(v) =
                    cx.count(u.get("VotersRegistered"), &format!("$.GpUnit[{i}].VotersRegistered"))?
                {
                    let cdf_id = u.get("@id").and_then(Value::as_str).unwrap_or("");
                    let unit = resolve_unit(cdf_id, &format!("$.GpUnit[{i}]"))?;
                    if let Some(row) = rows.get_mut(&unit) {
                        row[ProtocolLine::Registered.column()] = Some(v);
                    }
                }
            }
        }
        rows_all.push(rows.into_iter().collect::<Vec<_>>());
        contests.push(info);
    }
    let mut comments = vec![
        format!("Converted by `ashyq convert --from cdf` from {file} (NIST SP 1500-100 v2 JSON ElectionReport)."),
    ];
    if let Some(issuer) = root.get("Issuer").and_then(Value::as_str) {
        comments.push(format!(
            "Issuer: {issuer}; status: {}.",
            root.get("Status").and_then(Value::as_str).unwrap_or("?")
        ));
    }
    if multi_parent > 0 {
        comments.push(format!("{multi_parent} GpUnit(s) are composed by more than one unit: each keeps its first composing unit as parent."));
    }
    if !ignored_types.is_empty() {
        comments.push(format!(
            "Vote counts by type ({}) are summed where a unit has no \"total\" count.",
            ignored_types.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(note) = eext.get("provenance") {
        comments.extend(note.lines().map(str::to_owned));
    }
    draft.comments = comments;
    draft.info.id = eext.get("id").cloned().unwrap_or_else(|| format!("cdf-{}", sanitize(&date)));
    draft.info.name = name;
    draft.info.date = date;
    draft.info.rules = eext.get("rules").cloned().unwrap_or_else(|| "none".to_owned());
    draft.info.contests = contests;
    draft.rows = rows_all;
    Ok(draft)
}

fn intl(s: &str) -> Value {
    json!({
        "@type": "ElectionResults.InternationalizedText",
        "Text": [{"@type": "ElectionResults.LanguageString", "Content": s, "Language": "und"}]
    })
}

fn ext(name: &str, value: impl ToString) -> Value {
    json!({
        "@type": "ElectionResults.ExternalIdentifier",
        "Type": "other",
        "OtherType": format!("{EXT_PREFIX}{name}"),
        "Value": value.to_string()
    })
}

/// CDF `ReportingUnitType`s: an Ashyq unit kind with one of these names keeps it as `Type`.
const UNIT_TYPES: &[&str] = &[
    "ballot-batch",
    "ballot-style-area",
    "borough",
    "city",
    "city-council",
    "combined-precinct",
    "congressional",
    "country",
    "county",
    "county-council",
    "drop-box",
    "judicial",
    "municipality",
    "polling-place",
    "precinct",
    "school",
    "special",
    "split-precinct",
    "state",
    "state-house",
    "state-senate",
    "town",
    "township",
    "utility",
    "village",
    "vote-center",
    "ward",
    "water",
];

/// The results of a package as a NIST SP 1500-100 v2 `ElectionReport` (precinct level: every
/// protocol of the package, at its unit). `generated` is the report's `GeneratedDate`
/// (RFC 3339 date-time); passing a fixed value keeps the output deterministic.
pub fn export_cdf(package: &Package, generated: &str) -> Value {
    let tree = &package.tree;
    let election = &package.election;
    let mut gp = Vec::new();
    for (i, u) in tree.units().iter().enumerate() {
        let mut o = Map::new();
        o.insert("@type".into(), json!("ElectionResults.ReportingUnit"));
        o.insert("@id".into(), json!(u.id.as_str()));
        o.insert("Name".into(), json!(u.name));
        if UNIT_TYPES.contains(&u.kind.as_str()) {
            o.insert("Type".into(), json!(u.kind));
        } else {
            o.insert("Type".into(), json!("other"));
            o.insert("OtherType".into(), json!(u.kind));
        }
        let kids: Vec<&str> = tree.children(i).iter().map(|&c| tree.unit(c).id.as_str()).collect();
        if !kids.is_empty() {
            o.insert("ComposingGpUnitIds".into(), json!(kids));
        }
        gp.push(Value::Object(o));
    }
    let mut parties = Vec::new();
    let mut candidates = Vec::new();
    let mut contests = Vec::new();
    for (ci, (c, counts)) in election.contests().iter().zip(&package.counts).enumerate() {
        let cid = c.id().as_str();
        let mut cext = vec![ext("id", cid), ext("kind", c.kind().name())];
        if let Some(s) = c.seats() {
            cext.push(ext("seats", s));
        }
        if c.kind() == ContestKind::Referendum {
            cext.push(ext("constitutional", c.constitutional()));
            if let Some(t) = c.unit_test() {
                cext.push(ext("unit-test", t.name()));
            }
            if let Some(r) = c.reported_units_in_favour() {
                cext.push(ext("reported-units-in-favour", r));
            }
        }
        if c.round() != 1 {
            cext.push(ext("round", c.round()));
        }
        if let Some(b) = c.body() {
            cext.push(ext("body", b.name()));
        }
        if let Some((n, d)) = c.threshold_percent() {
            let places = d.ilog10() as usize;
            let t = if d == 1 { n.to_string() } else { format!("{}.{:0places$}", n / d, n % d) };
            cext.push(ext("threshold-percent", t));
        }
        let mut selections = Vec::new();
        for (oi, o) in c.options().iter().enumerate() {
            let oid = o.id.as_str();
            let mut votes = Vec::new();
            for (unit, row) in counts.rows() {
                if let Some(v) = row[Line::Option(oi).column()] {
                    votes.push(json!({
                        "@type": "ElectionResults.VoteCounts",
                        "GpUnitId": tree.unit(unit).id.as_str(),
                        "Type": "total",
                        "Count": v
                    }));
                }
            }
            let mut oext = vec![ext("id", oid)];
            if let Some(r) = o.registered {
                oext.push(ext("registered", r));
            }
            if let Some(n) = o.list_length {
                oext.push(ext("list-length", n));
            }
            if o.kind == OptionKind::AgainstAll {
                oext.push(ext("option-kind", "against-all"));
            }
            let sel_id = format!("selection:{cid}:{oid}");
            let sel = match c.kind() {
                ContestKind::Referendum => json!({
                    "@type": "ElectionResults.BallotMeasureSelection",
                    "@id": sel_id,
                    "Selection": intl(&o.name),
                    "SequenceOrder": oi + 1,
                    "VoteCounts": votes
                }),
                ContestKind::PartyList => {
                    let pid = format!("party:{cid}:{oid}");
                    parties.push(json!({
                        "@type": "ElectionResults.Party",
                        "@id": pid,
                        "Name": intl(&o.name),
                        "ExternalIdentifier": oext
                    }));
                    json!({
                        "@type": "ElectionResults.PartySelection",
                        "@id": sel_id,
                        "PartyIds": [pid],
                        "SequenceOrder": oi + 1,
                        "VoteCounts": votes
                    })
                }
                _ => {
                    let kid = format!("candidate:{cid}:{oid}");
                    candidates.push(json!({
                        "@type": "ElectionResults.Candidate",
                        "@id": kid,
                        "BallotName": intl(&o.name),
                        "ExternalIdentifier": oext
                    }));
                    json!({
                        "@type": "ElectionResults.CandidateSelection",
                        "@id": sel_id,
                        "CandidateIds": [kid],
                        "SequenceOrder": oi + 1,
                        "VoteCounts": votes
                    })
                }
            };
            selections.push(sel);
        }
        let mut summary = Vec::new();
        for (unit, row) in counts.rows() {
            let g = tree.unit(unit).id.as_str();
            let issued = row[ProtocolLine::BallotsIssued.column()];
            let invalid = row[ProtocolLine::Invalid.column()];
            if issued.is_some() || invalid.is_some() {
                let mut o = Map::new();
                o.insert("@type".into(), json!("ElectionResults.SummaryCounts"));
                o.insert("GpUnitId".into(), json!(g));
                o.insert("Type".into(), json!("total"));
                if let Some(v) = issued {
                    o.insert("BallotsCast".into(), json!(v));
                }
                if let Some(v) = invalid {
                    o.insert("BallotsRejected".into(), json!(v));
                }
                summary.push(Value::Object(o));
            }
            for line in ProtocolLine::ALL {
                if matches!(line, ProtocolLine::BallotsIssued | ProtocolLine::Invalid) {
                    continue;
                }
                if let Some(v) = row[line.column()] {
                    summary.push(json!({
                        "@type": "ElectionResults.SummaryCounts",
                        "GpUnitId": g,
                        "Type": "other",
                        "OtherType": format!("{EXT_PREFIX}{}", line.name()),
                        "BallotsCast": v
                    }));
                }
            }
        }
        let territory = tree.unit(c.territory()).id.as_str();
        let contest_id = format!("contest:{cid}");
        let mut o = Map::new();
        let ty = match c.kind() {
            ContestKind::Referendum => "ElectionResults.BallotMeasureContest",
            ContestKind::PartyList => "ElectionResults.PartyContest",
            _ => "ElectionResults.CandidateContest",
        };
        o.insert("@type".into(), json!(ty));
        o.insert("@id".into(), json!(contest_id));
        o.insert("Name".into(), json!(c.name()));
        o.insert("ElectoralDistrictId".into(), json!(territory));
        o.insert("SequenceOrder".into(), json!(ci + 1));
        match c.kind() {
            ContestKind::Referendum => {
                o.insert("Type".into(), json!("referendum"));
            }
            ContestKind::PartyList => {
                o.insert("VoteVariation".into(), json!("proportional"));
            }
            _ => {
                o.insert("VotesAllowed".into(), json!(1));
                o.insert("NumberElected".into(), json!(1));
                o.insert(
                    "VoteVariation".into(),
                    json!(if c.kind() == ContestKind::Presidential {
                        "majority"
                    } else {
                        "plurality"
                    }),
                );
            }
        }
        o.insert("ExternalIdentifier".into(), json!(cext));
        o.insert("BallotSelection".into(), json!(selections));
        if !summary.is_empty() {
            o.insert("SummaryCounts".into(), json!(summary));
        }
        contests.push(Value::Object(o));
    }
    let scope = election.contests().first().map(|c| tree.path(c.territory())[0]).unwrap_or(0);
    let mut e = Map::new();
    e.insert("@type".into(), json!("ElectionResults.Election"));
    e.insert("Name".into(), intl(election.name()));
    e.insert("StartDate".into(), json!(election.date()));
    e.insert("EndDate".into(), json!(election.date()));
    e.insert("Type".into(), json!("general"));
    e.insert("ElectionScopeId".into(), json!(tree.unit(scope).id.as_str()));
    e.insert(
        "ExternalIdentifier".into(),
        json!([ext("id", election.id()), ext("rules", election.rules().name())]),
    );
    if !candidates.is_empty() {
        e.insert("Candidate".into(), json!(candidates));
    }
    e.insert("Contest".into(), json!(contests));
    let mut r = Map::new();
    r.insert("@type".into(), json!("ElectionResults.ElectionReport"));
    r.insert("Format".into(), json!("precinct-level"));
    r.insert("GeneratedDate".into(), json!(generated));
    r.insert("Issuer".into(), json!("Ashyq"));
    r.insert("IssuerAbbreviation".into(), json!("ashyq"));
    r.insert("SequenceStart".into(), json!(1));
    r.insert("SequenceEnd".into(), json!(1));
    r.insert("Status".into(), json!("unofficial-complete"));
    r.insert("VendorApplicationId".into(), json!(format!("ashyq {}", env!("CARGO_PKG_VERSION"))));
    r.insert("Election".into(), json!([Value::Object(e)]));
    r.insert("GpUnit".into(), json!(gp));
    if !parties.is_empty() {
        r.insert("Party".into(), json!(parties));
    }
    Value::Object(r)
}
