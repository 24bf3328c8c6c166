//! The program's law against the law reference: every rule of every rule set carries exactly
//! the confidence mark that `docs/law.md` (and the research digest it follows, in
//! `../shared/reference/`) gives the rule it encodes, and every source id and section the
//! program prints resolves in `docs/law.md`.
//!
//! The digest lives outside the repository: without it the digest comparison says "skipped"
//! locally and fails when `CI` is set.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use ashyq_core::checks::{CheckCode, CATALOGUE};
use ashyq_core::rules::{LegalRule, Ref, RuleSetId};

const LAW_MD: &str = include_str!("../../../docs/law.md");

/// The source files whose messages and rules cite the reference.
const CITING_SOURCES: &[(&str, &str)] = &[
    ("rules/data.rs", include_str!("../src/rules/data.rs")),
    ("rules/mod.rs", include_str!("../src/rules/mod.rs")),
    ("rules/party_list.rs", include_str!("../src/rules/party_list.rs")),
    ("rules/presidential.rs", include_str!("../src/rules/presidential.rs")),
    ("rules/referendum.rs", include_str!("../src/rules/referendum.rs")),
    ("rules/senate.rs", include_str!("../src/rules/senate.rs")),
    ("rules/single_member.rs", include_str!("../src/rules/single_member.rs")),
    ("checks.rs", include_str!("../src/checks.rs")),
    ("election.rs", include_str!("../src/election.rs")),
    ("line.rs", include_str!("../src/line.rs")),
    ("report/text.rs", include_str!("../../ashyq-report/src/text.rs")),
];

fn digest() -> Option<String> {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/kz-electoral-law.md");
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("the law digest {path} is needed in CI: {e}")
        }
        Err(e) => {
            eprintln!("skipped: the law digest {path} is not available ({e})");
            None
        }
    }
}

/// The text of a section: `§3.1` → from the heading `### 3.1 …` to the next heading of the
/// same or a higher level; `§1` → `## 1. …`; `§A2` → `### A2. …`.
fn section<'a>(doc: &'a str, id: &str) -> Option<&'a str> {
    let num = id.strip_prefix('§')?;
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    let is_heading = |l: &str| -> Option<(usize, String)> {
        let level = l.chars().take_while(|&c| c == '#').count();
        if level == 0 {
            return None;
        }
        let rest = l[level..].trim();
        let token = rest.split_whitespace().next()?.trim_end_matches('.').to_owned();
        Some((level, token))
    };
    let mut start = None;
    let mut level = 0;
    let mut offset = 0;
    let mut begin = 0;
    for l in &lines {
        if let Some((lv, token)) = is_heading(l) {
            if let Some(s) = start {
                if lv <= level {
                    return Some(&doc[s..offset]);
                }
            } else if token == num {
                start = Some(offset);
                begin = offset;
                level = lv;
            }
        }
        offset += l.len();
    }
    start.map(|_| &doc[begin..])
}

fn clean(cell: &str) -> String {
    cell.replace("**", "").replace('`', "").trim().to_owned()
}

/// Does `cell` contain the mark as a standalone token (`H`, `M`, `L`) or `?`?
fn has_mark(cell: &str, mark: &str) -> bool {
    if mark == "?" {
        return cell.contains('?');
    }
    let c = mark.chars().next().unwrap();
    let chars: Vec<char> = cell.chars().collect();
    chars.iter().enumerate().any(|(i, &x)| {
        x == c
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1).is_none_or(|n| !n.is_alphanumeric())
    })
}

/// Where `phrase` occurs in `text`, any run of whitespace in either matching any other (the
/// reference wraps its lines).
fn find_flex(text: &str, phrase: &str) -> Option<usize> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let first = *words.first()?;
    let mut from = 0;
    while let Some(i) = text[from..].find(first) {
        let at = from + i;
        let mut rest = &text[at + first.len()..];
        let ok = words[1..].iter().all(|w| {
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() || !trimmed.starts_with(w) {
                return false;
            }
            rest = &trimmed[w.len()..];
            true
        });
        if ok {
            return Some(at);
        }
        from = at + first.len();
    }
    None
}

/// The paragraph (block between blank lines or list items) of `text` containing `phrase`.
fn paragraph<'a>(text: &'a str, phrase: &str) -> Option<&'a str> {
    let at = find_flex(text, phrase)?;
    let starts_item = |l: &str| {
        let t = l.trim_start();
        t.is_empty()
            || t.starts_with("- ")
            || t.starts_with("| ")
            || t.split_once(". ").is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
    };
    let mut begin = 0;
    let mut end = text.len();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        if off <= at && starts_item(l) {
            begin = off;
        }
        if off > at && starts_item(l) {
            end = off;
            break;
        }
        off += l.len();
    }
    Some(&text[begin..end])
}

/// Checks that `doc` states `reference` with `mark`; returns why not.
fn check(doc: &str, reference: Ref, mark: &str) -> Result<(), String> {
    match reference {
        Ref::Row { section: id, row } => {
            let sec = section(doc, id).ok_or(format!("no section {id}"))?;
            let mut conf_col = None;
            for line in sec.lines().filter(|l| l.trim_start().starts_with('|')) {
                let cells: Vec<String> =
                    line.trim().trim_matches('|').split('|').map(clean).collect();
                if let Some(i) = cells.iter().position(|c| c.starts_with("Conf")) {
                    conf_col = Some(i);
                    continue;
                }
                let first = &cells[0];
                let matches = first == row
                    || first.strip_prefix(row).is_some_and(|rest| {
                        rest.chars().next().is_some_and(|c| !c.is_alphanumeric())
                    });
                if matches {
                    let col = conf_col
                        .ok_or(format!("{id}: the table of row {row:?} has no Conf. column"))?;
                    let cell =
                        cells.get(col).ok_or(format!("{id}: row {row:?} has no Conf. cell"))?;
                    return if has_mark(cell, mark) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{id} row {row:?}: the reference says {cell:?}, the program [{mark}]"
                        ))
                    };
                }
            }
            Err(format!("{id}: no row {row:?}"))
        }
        Ref::Text { section: id, phrase } => {
            let sec = section(doc, id).ok_or(format!("no section {id}"))?;
            let p = paragraph(sec, phrase).ok_or(format!("{id}: no text {phrase:?}"))?;
            if p.contains(&format!("[{mark}")) || p.contains(&format!("**{mark}**")) {
                Ok(())
            } else {
                Err(format!("{id} {phrase:?}: the paragraph has no [{mark}…] mark: {p:?}"))
            }
        }
        Ref::NotCovered { section: id, phrase } => {
            let sec = section(doc, id).ok_or(format!("no section {id}"))?;
            if find_flex(sec, phrase).is_none() {
                return Err(format!("{id}: no text {phrase:?}"));
            }
            (mark == "L").then_some(()).ok_or(format!(
                "{id} {phrase:?}: not covered by the reference, so a working assumption [L], not [{mark}]"
            ))
        }
        Ref::Unknown { section: id, phrase } => {
            let sec = section(doc, id).ok_or(format!("no section {id}"))?;
            if find_flex(sec, phrase).is_none() {
                return Err(format!("{id}: no text {phrase:?}"));
            }
            (mark == "?").then_some(()).ok_or(format!(
                "{id} {phrase:?}: listed as unknown by the reference, so [?], not [{mark}]"
            ))
        }
    }
}

fn all_rules() -> Vec<(RuleSetId, LegalRule)> {
    RuleSetId::ALL
        .iter()
        .flat_map(|&id| id.rule_set().all_rules().into_iter().map(move |(_, r)| (id, r)))
        .collect()
}

/// Where §8.2 (and §8.1, §8.4) state each check; `None` for the heuristics.
fn check_reference(code: CheckCode) -> Option<Ref> {
    use CheckCode::*;
    Some(match code {
        R2 | V1 => Ref::Row { section: "§8.2", row: "R2" },
        R3 => Ref::Row { section: "§8.2", row: "R3" },
        R4 => Ref::Row { section: "§8.2", row: "R4" },
        R5 | T2 => Ref::Row { section: "§8.2", row: "R5" },
        R6 => Ref::Row { section: "§8.2", row: "R6" },
        R7 => Ref::Row { section: "§8.2", row: "R7" },
        V2 => Ref::Row { section: "§1", row: "Both options marked" },
        V3 => Ref::Text {
            section: "§8.1",
            phrase: "Ballots received by the precinct election commission (PEC)",
        },
        V4 => Ref::Text { section: "§8.1", phrase: "of which voted **by absentee certificate**" },
        T1 => Ref::Text { section: "§8.4", phrase: "The CEC publishes turnout" },
        W1 | W2 | W3 => return None,
    })
}

fn compare_with(doc: &str, name: &str) {
    let mut problems = Vec::new();
    for (set, rule) in all_rules() {
        if let Err(e) = check(doc, rule.reference, rule.confidence.mark()) {
            problems.push(format!("{set} {}: {e}", rule.id));
        }
    }
    for def in CATALOGUE {
        match (check_reference(def.code), def.confidence) {
            (Some(r), Some(c)) => {
                if let Err(e) = check(doc, r, c.mark()) {
                    problems.push(format!("check {}: {e}", def.code));
                }
            }
            (None, None) => {}
            (r, c) => {
                problems.push(format!("check {}: reference {r:?} but confidence {c:?}", def.code))
            }
        }
    }
    assert!(problems.is_empty(), "{name} disagrees with the program:\n{}", problems.join("\n"));
}

#[test]
fn every_rule_and_check_carries_the_mark_of_docs_law_md() {
    compare_with(LAW_MD, "docs/law.md");
}

#[test]
fn every_rule_and_check_carries_the_mark_of_the_research_digest() {
    if let Some(d) = digest() {
        compare_with(&d, "the law digest");
    }
}

#[test]
fn the_rule_table_of_docs_law_md_lists_every_rule_with_its_mark() {
    let mut missing = Vec::new();
    for (set, r) in all_rules() {
        let row = LAW_MD
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` — ", r.id)))
            .map(|l| l.split('|').map(str::trim).collect::<Vec<_>>());
        match row {
            Some(cells) if cells[2].contains(set.name()) && cells[3] == r.confidence.mark() => {}
            other => missing.push(format!("{set} {} [{}]: {other:?}", r.id, r.confidence.mark())),
        }
    }
    assert!(missing.is_empty(), "docs/law.md's rule table is out of date:\n{}", missing.join("\n"));
}

/// Every `[S12]`, `[K18]`, `§3.1`, `§A2` in the program's sources resolves in docs/law.md.
#[test]
fn every_source_id_and_section_the_program_prints_resolves_in_docs_law_md() {
    let mut tokens: BTreeSet<String> = BTreeSet::new();
    for (_, text) in CITING_SOURCES {
        let chars: Vec<char> = text.chars().collect();
        for i in 0..chars.len() {
            if chars[i] == '[' && matches!(chars.get(i + 1), Some('S' | 'K')) {
                let id: String = chars[i + 1..].iter().take_while(|c| **c != ']').collect();
                if id.len() > 1 && id[1..].chars().all(|c| c.is_ascii_digit()) {
                    tokens.insert(id);
                }
            }
            if chars[i] == '§' {
                let id: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '.')
                    .collect();
                let id = id.trim_end_matches('.').to_owned();
                if !id.is_empty() {
                    tokens.insert(format!("§{id}"));
                }
            }
        }
    }
    assert!(tokens.contains("S19") && tokens.contains("K18") && tokens.contains("§3.3"));
    let mut unresolved = Vec::new();
    for t in &tokens {
        let ok = if let Some(num) = t.strip_prefix('§') {
            // §0–§12 and §A1–§A3 are headings; §8.2 sub-sections too.
            section(LAW_MD, t).is_some() || num == "0.1"
        } else {
            LAW_MD.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with(&format!("{t} "))
                    || l.contains(&format!("; {t} "))
                    || l.contains(&format!(" {t} https"))
            })
        };
        if !ok {
            unresolved.push(t.clone());
        }
    }
    assert!(unresolved.is_empty(), "not resolvable in docs/law.md: {unresolved:?}");
}

#[test]
fn sections_are_found_by_number() {
    assert!(section(LAW_MD, "§3.1").unwrap().starts_with("### 3.1 From 2023"));
    assert!(section(LAW_MD, "§1").unwrap().starts_with("## 1. Republican referendum"));
    assert!(section(LAW_MD, "§A2").unwrap().starts_with("### A2. The Kurultai"));
    assert!(!section(LAW_MD, "§3").unwrap().contains("## 4. Maslikhats"));
    assert!(section(LAW_MD, "§13").is_none());
    assert!(has_mark("H (50/50, 5%); M (method)", "M"));
    assert!(!has_mark("Hare", "H"));
}
