//! Names of elections, contests, options and units in the page language: everything the pages
//! call a thing goes through [`name_of`].
//!
//! Packages carry one `name` per thing (English in the bundled examples) and, in `names.csv`,
//! its translations (the bundled examples and the generator's regions, parties and candidates
//! have Kazakh and Russian names). Where a package gives no translation, the name is built from
//! what is known exactly:
//! first-level units from the map's GeoJSON names (keyed by ISO 3166-2 code), the country,
//! "against all", a referendum's yes and no, contests from their kind and body, elections from
//! their contests and date, and districts and polling stations from their kind and id. Party
//! and candidate names stay as the package writes them (proper names).

use ashyq_core::election::{Body, ContestKind, Election, OptionKind};
use ashyq_core::units::UnitTree;

use crate::i18n::{Lang, Msg};
use crate::map;

pub use ashyq_core::election::NameTarget;

/// The name of `target` in `lang`: the package's translation (`names.csv`, core's
/// `Election::translation`, as `display_name` gives it) when it has one, else a name built from
/// what is known exactly (see the module doc), else the package's own name.
pub fn name_of(election: &Election, tree: &UnitTree, target: NameTarget, lang: Lang) -> String {
    if let Some(t) = election.translation(target, lang.code()) {
        return t.to_owned();
    }
    if lang == Lang::En {
        return election.display_name(tree, target, "en");
    }
    match target {
        NameTarget::Election => {
            if lang == Lang::En {
                return election.name().to_owned();
            }
            let mut kinds: Vec<String> = Vec::new();
            for c in 0..election.contests().len() {
                let k = lang.t(contest_kind_msg(election, c)).to_owned();
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            lang.f(
                Msg::ElectionOf,
                &[("what", &kinds.join("; ")), ("date", &lang.date(election.date()))],
            )
        }
        NameTarget::Contest(c) => {
            let contest = &election.contests()[c];
            if lang == Lang::En {
                return contest.name().to_owned();
            }
            let kind = lang.t(contest_kind_msg(election, c));
            let territory = contest.territory();
            if tree.unit(territory).parent.is_none() {
                kind.to_owned()
            } else {
                format!("{kind} — {}", name_of(election, tree, NameTarget::Unit(territory), lang))
            }
        }
        NameTarget::Option(c, o) => {
            let contest = &election.contests()[c];
            let option = &contest.options()[o];
            if option.kind == OptionKind::AgainstAll {
                return lang.t(Msg::AgainstAll).to_owned();
            }
            if contest.kind() == ContestKind::Referendum {
                match option.id.as_str() {
                    "yes" => return lang.t(Msg::Yes).to_owned(),
                    "no" => return lang.t(Msg::No).to_owned(),
                    _ => {}
                }
            }
            option.name.clone()
        }
        NameTarget::Unit(u) => {
            let unit = tree.unit(u);
            if lang == Lang::En {
                return unit.name.clone();
            }
            if unit.parent.is_none() && unit.id.as_str() == "KZ" {
                return match lang {
                    Lang::Kk => "Қазақстан".to_owned(),
                    _ => "Казахстан".to_owned(),
                };
            }
            if let Some(n) = map::unit_name(election.date(), unit.id.as_str(), &unit.kind, lang) {
                return n;
            }
            if tree.children(u).is_empty() && unit.kind == "station" {
                return lang.f(Msg::StationNumber, &[("n", unit.id.as_str())]);
            }
            lang.f(
                Msg::UnitWithId,
                &[("kind", lang.t(kind_msg(&unit.kind))), ("id", unit.id.as_str())],
            )
        }
    }
}

/// The label of a unit kind.
pub fn kind_msg(kind: &str) -> Msg {
    match kind {
        "country" => Msg::KindCountry,
        "region" => Msg::KindRegion,
        "city" => Msg::KindCity,
        "district" => Msg::KindDistrict,
        "station" => Msg::KindStation,
        _ => Msg::KindOther,
    }
}

/// What kind of contest, in words.
pub fn contest_kind_msg(election: &Election, c: usize) -> Msg {
    let contest = &election.contests()[c];
    match (contest.kind(), contest.body()) {
        (ContestKind::Referendum, _) => Msg::ContestReferendum,
        (ContestKind::Presidential, _) if contest.round() == 2 => Msg::ContestPresidentialRunoff,
        (ContestKind::Presidential, _) => Msg::ContestPresidential,
        (ContestKind::PartyList, Some(Body::Maslikhat)) => Msg::ContestMaslikhatList,
        (ContestKind::PartyList, _) => Msg::ContestMazhilisList,
        (ContestKind::SingleMember, Some(Body::Maslikhat)) => Msg::ContestMaslikhatDistrict,
        (ContestKind::SingleMember, Some(Body::Akim)) => Msg::ContestAkim,
        (ContestKind::SingleMember, _) => Msg::ContestMazhilisDistrict,
        (ContestKind::Senate, _) => Msg::ContestSenate,
    }
}
