//! Import: `ElectionReport` → one `Election` → its `Contest`s (`CandidateContest`,
//! `PartyContest`, `BallotMeasureContest`) → `ContestSelection`s → `VoteCounts` per `GpUnitId`;
//! the territorial tree comes from the report's `GpUnit`s linked by `ComposingGpUnitIds`.
//! Reports written before the v2 schema settled (`BallotSelection`, `ElectoralDistrictId`,
//! per-contest `SummaryCounts`, plain-string names) are read too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use ashyq_core::election::{ContestInfo, ContestKind, NameInfo, OptionInfo};
use ashyq_core::ids::check_id_syntax;
use ashyq_core::line::ProtocolLine;
use serde_json::Value;

use super::model::EXT_PREFIX;
use crate::{display_name, open_input, ConvertError, Draft, Progress};
use ashyq_package::{Diagnostic, Diagnostics};

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

    /// The other languages of an `InternationalizedText` (every `LanguageString` after the first
    /// whose `Language` is a lowercase ISO 639 code): translated names for the package.
    fn translations(&self, obj: At<'_>, key: &str) -> Vec<(String, String)> {
        let Some(Value::Object(_)) = obj.v.get(key) else { return Vec::new() };
        let Some(Value::Array(texts)) = obj.v.get(key).and_then(|v| v.get("Text")) else {
            return Vec::new();
        };
        texts
            .iter()
            .skip(1)
            .filter_map(|t| {
                let lang = t.get("Language")?.as_str()?;
                let content = t.get("Content")?.as_str()?;
                ((2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase()))
                    .then(|| (lang.to_owned(), content.to_owned()))
            })
            .collect()
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

/// The first `ExternalIdentifier` of a standard type (`local-level` …).
fn std_ext<'a>(obj: &'a Value, ty: &str) -> Option<&'a str> {
    obj.get("ExternalIdentifier")?.as_array()?.iter().find_map(|e| {
        (e.get("Type").and_then(Value::as_str) == Some(ty))
            .then(|| e.get("Value").and_then(Value::as_str))
            .flatten()
    })
}

/// The value of the first of `keys` present (v2 name first, then the pre-v2 one).
fn either<'a>(obj: &'a Value, keys: &[&'a str]) -> Option<(&'a str, &'a Value)> {
    keys.iter().find_map(|k| obj.get(*k).map(|v| (*k, v)))
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
    // Names in other languages, for the package's names.csv.
    let mut names: Vec<NameInfo> = Vec::new();
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
            .map(String::as_str)
            .or_else(|| std_ext(u, "local-level"))
            .filter(|s| check_id_syntax(s).is_ok())
            .map(str::to_owned)
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
        let own_kind = ashyq_ext(u).remove("kind");
        let kind = match (ty, u.get("OtherType").and_then(Value::as_str)) {
            _ if own_kind.is_some() => own_kind.unwrap_or_default(),
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
        let name = cx.text(At { v: u }, &p, "Name")?.unwrap_or_else(|| cdf_id.to_owned());
        for (lang, text) in cx.translations(At { v: u }, "Name") {
            names.push(NameInfo { kind: "unit".into(), id: id.clone(), lang, name: text });
        }
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

    // The election's ballot counts: Ashyq's protocol lines (`other`, `ashyq-<line>:<contest>`)
    // by contest, and the standard ones (ballots cast = found, rejected = invalid) by unit, the
    // `total` where given, else the sum of the parts (`election-day`, `early` …).
    type Lines = Vec<(usize, ProtocolLine, u64, String)>;
    let mut ext_lines: HashMap<String, Lines> = HashMap::new();
    let mut std_totals: BTreeMap<usize, (Option<u64>, Option<u64>)> = BTreeMap::new();
    let mut std_parts: BTreeMap<usize, (Option<u64>, Option<u64>)> = BTreeMap::new();
    for (bi, bc) in cx.arr(election, ep, "BallotCounts")?.iter().enumerate() {
        let bp = format!("{ep}.BallotCounts[{bi}]");
        let bo = At { v: bc };
        let g = cx.str(bo, &bp, "GpUnitId")?;
        let unit = resolve_unit(g, &format!("{bp}.GpUnitId"))?;
        let cast = cx.count(bc.get("BallotsCast"), &format!("{bp}.BallotsCast"))?;
        let rejected = cx.count(bc.get("BallotsRejected"), &format!("{bp}.BallotsRejected"))?;
        let t = bc.get("Type").and_then(Value::as_str).unwrap_or("total");
        let other = bc.get("OtherType").and_then(Value::as_str).unwrap_or("");
        if let Some(rest) = other.strip_prefix(EXT_PREFIX).filter(|_| t == "other") {
            let (line, contest) = rest.split_once(':').unwrap_or((rest, ""));
            let Some(l) = ProtocolLine::from_name(line) else {
                return Err(cx.err(
                    &format!("{bp}.OtherType"),
                    format!("\"{other}\" names no protocol line (ashyq-<line>:<contest>)"),
                ));
            };
            let Some(v) = cast else {
                return Err(cx.err(&bp, "lacks BallotsCast, the value of the protocol line"));
            };
            ext_lines.entry(contest.to_owned()).or_default().push((unit, l, v, bp));
        } else if t == "total" {
            if std_totals.insert(unit, (cast, rejected)).is_some() {
                return Err(cx.err(&bp, format!("a second total ballot count for GpUnit \"{g}\"")));
            }
        } else if t != "other" {
            let e = std_parts.entry(unit).or_insert((Some(0), Some(0)));
            let add = |a: Option<u64>, b: Option<u64>| a.zip(b).and_then(|(a, b)| a.checked_add(b));
            *e = (add(e.0, cast), add(e.1, rejected));
        }
    }
    let mut std_ballots = std_parts;
    std_ballots.extend(std_totals);
    let mut voters: HashMap<usize, (Option<u64>, Option<u64>)> = HashMap::new();
    for (i, u) in gp.iter().enumerate() {
        let p = format!("$.GpUnit[{i}]");
        let registered = cx.count(u.get("VotersRegistered"), &format!("{p}.VotersRegistered"))?;
        let participated =
            cx.count(u.get("VotersParticipated"), &format!("{p}.VotersParticipated"))?;
        if registered.is_some() || participated.is_some() {
            let cdf_id = u.get("@id").and_then(Value::as_str).unwrap_or("");
            voters.insert(resolve_unit(cdf_id, &p)?, (registered, participated));
        }
    }
    let name = cx.text(election, ep, "Name")?.unwrap_or_default();
    for (lang, text) in cx.translations(election, "Name") {
        names.push(NameInfo { kind: "election".into(), id: String::new(), lang, name: text });
    }
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
        let district_key = either(c, &["ElectionDistrictId", "ElectoralDistrictId"])
            .map_or("ElectionDistrictId", |(k, _)| k);
        let district = cx.str(co, &cp, district_key)?;
        let territory_idx = resolve_unit(district, &format!("{cp}.{district_key}"))?;
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
        let sel_key = either(c, &["ContestSelection", "BallotSelection"])
            .map_or("ContestSelection", |(k, _)| k);
        let selections = cx.arr(co, &cp, sel_key)?;
        for (si, s) in selections.iter().enumerate() {
            let sp = format!("{cp}.{sel_key}[{si}]");
            let so = At { v: s };
            let sty = s.get("@type").and_then(Value::as_str).unwrap_or("");
            let sid = cx.str(so, &sp, "@id")?;
            let (base, name, okind, registered, option_ext, option_names) = if sty
                == "ElectionResults.BallotMeasureSelection"
                || s.get("Selection").is_some()
            {
                let text = cx.text(so, &sp, "Selection")?.unwrap_or_default();
                let last = sid.rsplit(':').next().unwrap_or(sid).to_lowercase();
                let t = text.trim().to_lowercase();
                let sext = ashyq_ext(s);
                let base = if let Some(id) = sext.get("id").filter(|i| check_id_syntax(i).is_ok()) {
                    id.clone()
                } else if kind == ContestKind::Referendum
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
                let registered = sext.get("registered").and_then(|r| r.parse::<i64>().ok());
                let tr = cx.translations(so, "Selection");
                (base, text, sext.get("option-kind").cloned(), registered, sext, tr)
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
                let tr = cx.translations(At { v: obj }, label);
                (base, name, okind, registered, oext, tr)
            };
            let base = if ProtocolLine::from_name(&base).is_some() {
                format!("option-{base}")
            } else {
                base
            };
            let list_length = option_ext.get("list-length").and_then(|r| r.parse::<i64>().ok());
            let option_id = unique(&mut option_used, base);
            for (lang, text) in option_names {
                names.push(NameInfo {
                    kind: "option".into(),
                    id: format!("{id}/{option_id}"),
                    lang,
                    name: text,
                });
            }
            options.push(OptionInfo { id: option_id, name, registered, kind: okind, list_length });
        }
        for (lang, text) in cx.translations(co, "BallotTitle") {
            names.push(NameInfo { kind: "contest".into(), id: id.clone(), lang, name: text });
        }
        let info = ContestInfo {
            id: id.clone(),
            kind: kind.name().to_owned(),
            name: Some(c.get("Name").and_then(Value::as_str).unwrap_or(&id).to_owned()),
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
            body: ext.get("body").cloned(),
            options,
        };
        // Counts.
        let n_cols = ProtocolLine::COUNT + info.options.len();
        let mut rows: BTreeMap<usize, Vec<Option<u64>>> = BTreeMap::new();
        for (si, s) in selections.iter().enumerate() {
            let sp = format!("{cp}.{sel_key}[{si}]");
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
        // Protocol lines: Ashyq's own (per contest, exact), else what standard CDF says.
        let mut set = |unit: usize, line: ProtocolLine, v: u64, path: &str| {
            let row = rows.entry(unit).or_insert_with(|| vec![None; n_cols]);
            match row[line.column()].replace(v) {
                Some(_) => Err(cx.err(
                    path,
                    format!(
                        "a second value of {} for GpUnit \"{}\" in contest {id}",
                        line.name(),
                        draft.units[unit].id
                    ),
                )),
                None => Ok(()),
            }
        };
        let mut own_lines = false;
        let mut legacy_totals = Vec::new();
        for (ki, sc) in cx.arr(co, &cp, "SummaryCounts")?.iter().enumerate() {
            let kp = format!("{cp}.SummaryCounts[{ki}]");
            let Some(g) = sc.get("GpUnitId").and_then(Value::as_str) else { continue };
            let unit = resolve_unit(g, &format!("{kp}.GpUnitId"))?;
            let t = sc.get("Type").and_then(Value::as_str).unwrap_or("");
            let other = sc.get("OtherType").and_then(Value::as_str);
            match (t, other.and_then(|o| o.strip_prefix(EXT_PREFIX))) {
                ("total", _) => legacy_totals.push((unit, sc, kp)),
                ("other", Some(line)) => {
                    let Some(l) = ProtocolLine::from_name(line) else {
                        return Err(cx.err(
                            &format!("{kp}.OtherType"),
                            format!("\"{EXT_PREFIX}{line}\" names no protocol line"),
                        ));
                    };
                    if let Some(v) =
                        cx.count(sc.get("BallotsCast"), &format!("{kp}.BallotsCast"))?
                    {
                        set(unit, l, v, &kp)?;
                        own_lines = true;
                    }
                }
                _ => {}
            }
        }
        for (unit, line, v, path) in ext_lines.remove(id.as_str()).unwrap_or_default() {
            set(unit, line, v, &path)?;
            own_lines = true;
        }
        if !own_lines {
            // A third-party report: ballots found (`BallotsCast`) and invalid (`BallotsRejected`)
            // from the contest's own summary counts, else from the election's ballot counts; the
            // unit's registered voters and participants; at the units this contest counts at.
            for (unit, sc, kp) in legacy_totals {
                for (line, key) in [
                    (ProtocolLine::BallotsFound, "BallotsCast"),
                    (ProtocolLine::Invalid, "BallotsRejected"),
                ] {
                    if let Some(v) = cx.count(sc.get(key), &format!("{kp}.{key}"))? {
                        set(unit, line, v, &kp)?;
                    }
                }
            }
            let units: Vec<usize> = rows.keys().copied().collect();
            for unit in units {
                let row = rows.get_mut(&unit).map(|r| r.as_mut_slice()).unwrap_or(&mut []);
                let mut fill = |line: ProtocolLine, v: Option<u64>| {
                    if let (Some(v), Some(cell)) = (v, row.get_mut(line.column())) {
                        cell.get_or_insert(v);
                    }
                };
                if let Some(b) = std_ballots.get(&unit) {
                    fill(ProtocolLine::BallotsFound, b.0);
                    fill(ProtocolLine::Invalid, b.1);
                }
                if let Some(v) = voters.get(&unit) {
                    fill(ProtocolLine::Registered, v.0);
                    fill(ProtocolLine::BallotsIssued, v.1);
                }
            }
        }
        rows_all.push(rows.into_iter().collect::<Vec<_>>());
        contests.push(info);
    }
    if let Some((contest, lines)) = ext_lines.iter().min_by_key(|(c, _)| c.as_str()) {
        return Err(cx.err(
            &lines[0].3,
            format!("names contest \"{contest}\", which is not a contest of the election"),
        ));
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
    draft.info.names = names;
    draft.rows = rows_all;
    Ok(draft)
}
