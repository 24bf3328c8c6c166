//! Names in Kazakh and Russian for the generated election, from the project's translation table
//! `data/names-kz.csv` (the regions' names from the geokz GeoJSON, CC BY 4.0; parties,
//! candidates and contests from their registered names), so that a dashboard shows a generated
//! election in the reader's language. District names are composed from their region's;
//! station names ("№ 17") need no translation.

use ashyq_core::election::NameInfo;
use ashyq_core::units::UnitTree;

use crate::contests::Target;
use crate::Params;

const TABLE: &str = include_str!("../../../data/names-kz.csv");

/// (kind, id) → (kk, ru) from the table.
fn table() -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for line in TABLE.lines().skip(1) {
        let fields = split_csv(line);
        if fields.len() >= 4 {
            out.push((fields[0].clone(), fields[1].clone(), fields[2].clone(), fields[3].clone()));
        }
    }
    out
}

/// The fields of one line of the table (RFC 4180 quoting, as the table uses it).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

fn name(kind: &str, id: &str, lang: &str, text: String) -> NameInfo {
    NameInfo { kind: kind.into(), id: id.into(), lang: lang.into(), name: text }
}

/// Every translation of the generated election.
pub(crate) fn translations(tree: &UnitTree, targets: &[Target], params: &Params) -> Vec<NameInfo> {
    let t = table();
    let find = |kind: &str, id: &str| {
        t.iter().find(|r| r.0 == kind && r.1 == id).map(|r| (r.2.clone(), r.3.clone()))
    };
    let mut out = vec![
        name(
            "election",
            "",
            "kk",
            format!(
                "Синтетикалық сайлау (seed {}, {} учаске)",
                params.seed,
                params.stations + params.abroad
            ),
        ),
        name(
            "election",
            "",
            "ru",
            format!(
                "Синтетические выборы (seed {}, {} участков)",
                params.seed,
                params.stations + params.abroad
            ),
        ),
    ];
    for target in targets {
        if let Some((kk, ru)) = find("contest", target.id) {
            out.push(name("contest", target.id, "kk", kk));
            out.push(name("contest", target.id, "ru", ru));
        }
        for &(oid, _, _, _) in target.options {
            if let Some((kk, ru)) = find("option", oid) {
                let id = format!("{}/{oid}", target.id);
                out.push(name("option", &id, "kk", kk));
                out.push(name("option", &id, "ru", ru));
            }
        }
    }
    for u in tree.units() {
        if u.kind == "station" {
            continue;
        }
        if let Some((kk, ru)) = find("unit", u.id.as_str()) {
            out.push(name("unit", u.id.as_str(), "kk", kk));
            out.push(name("unit", u.id.as_str(), "ru", ru));
        } else if u.kind == "district" {
            let Some(p) = u.parent else { continue };
            let Some((rkk, rru)) = find("unit", tree.unit(p).id.as_str()) else { continue };
            let id = u.id.as_str();
            let (kk, ru) = if id.ends_with("-ABROAD") {
                (
                    "Шетелдегі сайлау учаскелері".to_owned(),
                    "Избирательные участки за рубежом".to_owned(),
                )
            } else {
                let n: u32 = id.rsplit('-').next().and_then(|x| x.parse().ok()).unwrap_or(0);
                if n == 1 && tree.unit(p).kind != "city" {
                    (format!("{rkk}, облыс орталығы"), format!("{rru}, областной центр"))
                } else {
                    (format!("{rkk}, {n}-аудан"), format!("{rru}, район {n}"))
                }
            };
            out.push(name("unit", id, "kk", kk));
            out.push(name("unit", id, "ru", ru));
        }
    }
    out
}
