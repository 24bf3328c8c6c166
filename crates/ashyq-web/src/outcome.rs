//! The outcome of a contest and its explanation, in the page language: the headline (winner,
//! run-off, seats, adopted or not), then every figure a reader needs to re-check it by hand —
//! the base, the threshold table, the Hare quota with integer parts and remainders, the
//! referendum's unit table — and the rules applied with their confidence and source.

use ashyq_core::election::{Election, UnitTest};
use ashyq_core::rules::{ContestOutcome, ContestResult, LegalRule, Undetermined, Warning};
use ashyq_core::units::UnitTree;
use maud::{html, Markup};

use crate::charts;
use crate::explain_i18n::Names;
use crate::i18n::{Lang, Msg};
use crate::names::{name_of, NameTarget};

/// The colour of option `o` of contest `c`.
pub(crate) fn option_color(election: &Election, c: usize, o: usize) -> &'static str {
    let contest = &election.contests()[c];
    let option = &contest.options()[o];
    if option.kind == ashyq_core::election::OptionKind::AgainstAll {
        return charts::AGAINST_ALL;
    }
    if contest.kind() == ashyq_core::election::ContestKind::Referendum {
        return match option.id.as_str() {
            "yes" => charts::YES,
            "no" => charts::NO,
            _ => charts::PALETTE[o % charts::PALETTE.len()],
        };
    }
    charts::PALETTE[o % charts::PALETTE.len()]
}

fn opt(election: &Election, tree: &UnitTree, c: usize, o: usize, lang: Lang) -> String {
    name_of(election, tree, NameTarget::Option(c, o), lang)
}

fn num(lang: Lang, n: Option<u64>) -> String {
    n.map_or_else(|| lang.t(Msg::Unknown).to_owned(), |n| lang.int(n))
}

fn pct(lang: Lang, a: u64, b: Option<u64>) -> String {
    b.and_then(|b| lang.percent(a, b, 2)).unwrap_or_default()
}

/// The headline of a contest's outcome, one line (for the election page's cards).
pub(crate) fn headline(
    election: &Election,
    tree: &UnitTree,
    o: &ContestOutcome,
    lang: Lang,
) -> String {
    let c = o.contest;
    match &o.result {
        ContestResult::Presidential(p) => {
            if let Some(w) = p.winner {
                lang.f(Msg::Winner, &[("name", &opt(election, tree, c, w, lang))])
            } else if let Some([a, b]) = p.runoff {
                lang.f(
                    Msg::Runoff,
                    &[
                        ("a", &opt(election, tree, c, a, lang)),
                        ("b", &opt(election, tree, c, b, lang)),
                    ],
                )
            } else if p.repeat_election {
                lang.t(Msg::RepeatElection).to_owned()
            } else {
                lang.t(undetermined_title(o)).to_owned()
            }
        }
        ContestResult::SingleMember(s) => match s.winner {
            Some(w) => lang.f(Msg::Winner, &[("name", &opt(election, tree, c, w, lang))]),
            None => lang.t(undetermined_title(o)).to_owned(),
        },
        ContestResult::Senate(s) => match (s.winner, s.runoff) {
            (Some(w), _) => lang.f(Msg::Winner, &[("name", &opt(election, tree, c, w, lang))]),
            (None, Some([a, b])) => lang.f(
                Msg::Runoff,
                &[("a", &opt(election, tree, c, a, lang)), ("b", &opt(election, tree, c, b, lang))],
            ),
            _ => lang.t(undetermined_title(o)).to_owned(),
        },
        ContestResult::Referendum(r) => match r.adopted {
            Some(true) => lang.t(Msg::Adopted).to_owned(),
            Some(false) => lang.t(Msg::NotAdopted).to_owned(),
            None => lang.t(undetermined_title(o)).to_owned(),
        },
        ContestResult::PartyList(p) => {
            let mut rows: Vec<_> = p.rows.iter().filter(|r| r.seats > 0).collect();
            rows.sort_by(|a, b| b.seats.cmp(&a.seats).then(a.option.cmp(&b.option)));
            let parts: Vec<String> = rows
                .iter()
                .map(|r| format!("{} {}", opt(election, tree, c, r.option, lang), r.seats))
                .collect();
            if parts.is_empty() {
                lang.t(undetermined_title(o)).to_owned()
            } else {
                format!("{}: {}", lang.t(Msg::Seats), parts.join(", "))
            }
        }
        ContestResult::NoRules => lang.t(Msg::NoRulesFor).to_owned(),
    }
}

/// The whole explanation of one contest's outcome.
pub(crate) fn explanation(
    election: &Election,
    tree: &UnitTree,
    o: &ContestOutcome,
    lang: Lang,
) -> Markup {
    let c = o.contest;
    let contest = &election.contests()[c];
    html! {
        p.headline { (headline(election, tree, o, lang)) }
        @match &o.result {
            ContestResult::Presidential(p) => {
                @if let Some(base) = p.base {
                    p { (lang.f(Msg::MajorityNeeded, &[("need", &lang.int(base / 2 + 1)), ("base", &lang.int(base))])) }
                }
                (candidates_table(election, tree, c, &p.candidates, p.against_all, p.base, p.winner, lang))
            }
            ContestResult::SingleMember(s) => {
                (candidates_table(election, tree, c, &s.candidates, s.against_all, s.base, s.winner, lang))
            }
            ContestResult::Senate(s) => {
                (candidates_table(election, tree, c, &s.candidates, None, s.took_part, s.winner, lang))
            }
            ContestResult::Referendum(r) => {
                @let tp = r.took_part.unwrap_or(0);
                @if let Some(reg) = r.registered {
                    @match r.valid {
                        Some(true) => p.ok { (lang.f(Msg::ReferendumValid, &[("percent", &pct(lang, tp, Some(reg)))])) },
                        Some(false) => p.bad { (lang.f(Msg::ReferendumInvalid, &[("percent", &pct(lang, tp, Some(reg)))])) },
                        None => {},
                    }
                }
                @if let Some(yes) = r.yes {
                    p { (lang.f(Msg::NationalYes, &[("percent", &pct(lang, yes, r.took_part))])) }
                }
                @if r.constitutional {
                    @if let Some(n) = r.units_in_favour {
                        p { (lang.f(Msg::UnitsInFavour, &[("n", &n.to_string()), ("total", &r.units_total.to_string()), ("required", &r.units_required.to_string())])) }
                    }
                    p.note { (lang.f(Msg::UnitTestUsed, &[("test", lang.t(match r.unit_test { UnitTest::YesMajority => Msg::YesMajority, UnitTest::Turnout => Msg::TurnoutMajority }))])) }
                    @if !r.units.is_empty() {
                        div.table-scroll tabindex="0" {
                            table {
                                caption { (lang.t(Msg::UnitsTableCaption)) }
                                thead { tr {
                                    th scope="col" { (lang.t(Msg::Unit)) }
                                    th.num scope="col" { (lang.t(Msg::LineRegistered)) }
                                    th.num scope="col" { (lang.t(Msg::LineBallotsIssued)) }
                                    th.num scope="col" { (lang.t(Msg::Yes)) }
                                    th.num scope="col" { (lang.t(Msg::No)) }
                                    th scope="col" { (lang.t(Msg::YesMajority)) }
                                    th scope="col" { (lang.t(Msg::TurnoutMajority)) }
                                } }
                                tbody {
                                    @for row in &r.units {
                                        tr {
                                            th scope="row" { (name_of(election, tree, NameTarget::Unit(row.unit), lang)) }
                                            td.num { (num(lang, row.registered)) }
                                            td.num { (num(lang, row.took_part)) }
                                            td.num { (num(lang, row.yes)) }
                                            td.num { (num(lang, row.no)) }
                                            td { (yes_no(lang, row.yes_majority)) }
                                            td { (yes_no(lang, row.turnout_majority)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            ContestResult::PartyList(p) => {
                ul.facts {
                    li { (lang.f(Msg::SeatsTotal, &[("n", &p.seats_total.to_string())])) }
                    li { (lang.f(Msg::Threshold, &[("percent", &lang.percent_str_exact(p.threshold_percent))])) }
                    @if let Some(b) = p.threshold_base { li { (lang.f(Msg::ThresholdBase, &[("n", &lang.int(b))])) } }
                    @if let Some(v) = p.passing_votes { li { (lang.f(Msg::PassingVotes, &[("n", &lang.int(v))])) } }
                    @if let Some(q) = &p.quota { li { (lang.f(Msg::Quota, &[("q", &lang.decimal(&q.to_decimal_string(4)))])) } }
                }
                @if p.one_list_took_all { p { (lang.t(Msg::OneListTookAll)) } }
                @if p.runner_up.is_some() { p { (lang.t(Msg::RunnerUp)) } }
                @if p.seats_undetermined > 0 { p.bad { (lang.f(Msg::SeatsUndetermined, &[("n", &p.seats_undetermined.to_string())])) } }
                div.table-scroll tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { (lang.t(Msg::Candidate)) }
                            th.num scope="col" { (lang.t(Msg::Votes)) }
                            th.num scope="col" { (lang.t(Msg::Share)) }
                            th scope="col" { (lang.t(Msg::PassedColumn)) }
                            th.num scope="col" { (lang.t(Msg::IntegerPart)) }
                            th.num scope="col" { (lang.t(Msg::Remainder)) }
                            th scope="col" { (lang.t(Msg::RemainderSeat)) }
                            th.num scope="col" { (lang.t(Msg::Seats)) }
                        } }
                        tbody {
                            @for row in &p.rows {
                                tr {
                                    th scope="row" { span.swatch style=(format!("background:{}", option_color(election, c, row.option))) {} (opt(election, tree, c, row.option, lang)) }
                                    td.num { (lang.int(row.votes)) }
                                    td.num { (pct(lang, row.votes, p.threshold_base)) }
                                    td { @if row.passed { span.ok { (lang.t(Msg::Passed)) } } @else { span.bad { (lang.t(Msg::NotPassed)) } } }
                                    td.num { @if let Some(f) = row.floor { (f) } }
                                    td.num { @if let Some(r) = &row.remainder { (lang.decimal(&r.to_decimal_string(4))) } }
                                    td { @if row.remainder_seat { "+1" } }
                                    td.num { strong { (row.seats) } }
                                }
                            }
                        }
                    }
                }
            }
            ContestResult::NoRules => {}
        }
        @if let Some(why) = &o.undetermined {
            p.bad { strong { (lang.t(undetermined_title(o))) } }
            (why_undetermined(election, tree, o.contest, why, lang))
        }
        @for w in &o.warnings {
            p.note { (crate::explain_i18n::warning(w, lang, &names(election, tree, c, lang))) }
        }
        @if !o.rules.is_empty() {
            details {
                summary { (lang.t(Msg::RulesApplied)) " (" (o.rules.len()) ")" }
                p.note { (lang.t(Msg::RulesAppliedNote)) " " (lang.t(Msg::ConfidenceLegend)) }
                ul { @for r in &o.rules { (rule(r, lang)) } }
            }
        }
        @let _ = contest;
    }
}

/// "Undetermined by law" when the law leaves the case open, "undetermined: data missing" when
/// the package lacks what the law needs.
fn undetermined_title(o: &ContestOutcome) -> Msg {
    match &o.undetermined {
        Some(u) if !u.by_law() => Msg::UndeterminedData,
        _ => Msg::Undetermined,
    }
}

/// How the page names contest `c`'s options and the units, for explanations.
fn names<'a>(election: &'a Election, tree: &'a UnitTree, c: usize, lang: Lang) -> Names<'a> {
    Names {
        option: Box::new(move |o| opt(election, tree, c, o, lang)),
        unit: Box::new(move |u| name_of(election, tree, NameTarget::Unit(u), lang)),
    }
}

/// An election-level warning (which rule set was the law on the day) in the page language.
pub(crate) fn election_warning(
    election: &Election,
    tree: &UnitTree,
    w: &Warning,
    lang: Lang,
) -> String {
    // An election-level warning names no option; contest 0's names are as good as any.
    crate::explain_i18n::warning(w, lang, &names(election, tree, 0, lang))
}

/// Why contest `c`'s outcome is undetermined, in the page language (core's English, marked so,
/// for a statement of a rule set that is not translated yet).
pub(crate) fn why_undetermined(
    election: &Election,
    tree: &UnitTree,
    c: usize,
    why: &Undetermined,
    lang: Lang,
) -> Markup {
    match crate::explain_i18n::undetermined(why, lang, &names(election, tree, c, lang)) {
        Some(text) => html! { p.note { (text) } },
        None => english(lang, &why.to_string()),
    }
}

/// A sentence from core in English: marked as English for screen readers and introduced in the
/// page language.
fn english(lang: Lang, text: &str) -> Markup {
    html! {
        @if lang == Lang::En { p.note { (text) } }
        @else { p.note { (lang.t(Msg::ExplanationInEnglish)) " " span lang="en" { (text) } } }
    }
}

fn rule(r: &LegalRule, lang: Lang) -> Markup {
    let translated = crate::rules_i18n::rule_text(r.id, lang);
    let source = crate::rules_i18n::rule_source(r.id, r.source, lang);
    html! {
        li {
            code { (r.id) } " " (r.confidence.mark()) " — "
            @match translated { Some(t) => (t), None => span lang="en" { (r.text) } }
            br;
            @match source {
                Some(s) => small.muted { (s) },
                None => small.muted lang="en" { (r.source) },
            }
        }
    }
}

fn yes_no(lang: Lang, b: Option<bool>) -> &'static str {
    match b {
        Some(true) => lang.t(Msg::Yes),
        Some(false) => lang.t(Msg::No),
        None => lang.t(Msg::Unknown),
    }
}

#[allow(clippy::too_many_arguments)]
fn candidates_table(
    election: &Election,
    tree: &UnitTree,
    c: usize,
    rows: &[ashyq_core::rules::CandidateRow],
    against_all: Option<u64>,
    base: Option<u64>,
    winner: Option<usize>,
    lang: Lang,
) -> Markup {
    html! {
        div.table-scroll tabindex="0" {
            table {
                thead { tr {
                    th scope="col" { (lang.t(Msg::Candidate)) }
                    th.num scope="col" { (lang.t(Msg::Votes)) }
                    th.num scope="col" { (lang.t(Msg::Share)) }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            th scope="row" {
                                span.swatch style=(format!("background:{}", option_color(election, c, r.option))) {}
                                @if winner == Some(r.option) { strong { (opt(election, tree, c, r.option, lang)) } }
                                @else { (opt(election, tree, c, r.option, lang)) }
                            }
                            td.num { (lang.int(r.votes)) }
                            td.num { (pct(lang, r.votes, base)) }
                        }
                    }
                    @if let Some(a) = against_all {
                        tr {
                            th scope="row" { span.swatch style=(format!("background:{}", charts::AGAINST_ALL)) {} (lang.t(Msg::AgainstAll)) }
                            td.num { (lang.int(a)) }
                            td.num { (pct(lang, a, base)) }
                        }
                    }
                }
            }
        }
    }
}

impl Lang {
    /// A threshold `(numer, denom)` percent (`(5, 1)` → `5%`) in the locale's form.
    pub(crate) fn percent_str_exact(self, (n, d): (u64, u64)) -> String {
        let s = if d == 0 {
            "0".to_owned()
        } else if n.is_multiple_of(d) {
            (n / d).to_string()
        } else {
            format!("{:.2}", n as f64 / d as f64)
        };
        self.percent_f_str(&s)
    }

    fn percent_f_str(self, s: &str) -> String {
        match self {
            Lang::Ru => format!("{}\u{a0}%", self.decimal(s)),
            _ => format!("{}%", self.decimal(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ashyq_core::rules::RuleSetId;

    #[test]
    fn a_rule_shows_its_source_in_the_page_language() {
        let (_, r) = RuleSetId::ALL
            .iter()
            .flat_map(|s| s.rule_set().all_rules())
            .find(|(_, r)| r.id == "list.length")
            .expect("core has the rule list.length");
        let ru = rule(&r, Lang::Ru).into_string();
        assert!(ru.contains("Конституционный закон от 05.11.2022 № 156-VII [S35]"), "{ru}");
        assert!(!ru.contains("lang=\"en\""), "{ru}");
        let kk = rule(&r, Lang::Kk).into_string();
        assert!(kk.contains("№ 156-VII конституциялық заң [S35]"), "{kk}");
        assert!(!kk.contains("lang=\"en\""), "{kk}");
        let en = rule(&r, Lang::En).into_string();
        assert!(en.contains(r.source), "{en}");
    }
}
