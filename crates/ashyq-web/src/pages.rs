//! The pages: each function returns a complete HTML document in the context's language.
//!
//! Every page has the same frame (`layout`): `<html lang>`, a skip link, the language
//! switcher (links that keep the page), breadcrumbs, one `<main>`, a footer. What can change
//! during the night sits inside `<div id="live-region">`, which the script replaces when the
//! event stream announces a change below the page's unit; the page's unit and election are on
//! `<body data-election data-unit>`.

use ashyq_core::counts::Totals;
use ashyq_core::election::{ContestKind, Election};
use ashyq_core::line::ProtocolLine;
use ashyq_core::rules::{outcome, ElectionOutcome, OutcomeError, OutcomeOptions, RuleSetId};
use ashyq_core::units::{UnitIdx, UnitTree};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::charts::{self, Bar};
use crate::i18n::{Lang, Msg};
use crate::map::{self, Fill};
use crate::names::{contest_kind_msg, kind_msg, name_of, NameTarget};
use crate::outcome::{explanation, headline, option_color};
use crate::{assets, urls, Ctx, ElectionData, ObserverCopies, ProtocolVersion};

/// One entry of the election list.
#[derive(Clone, Copy)]
pub struct ListedElection<'a> {
    /// The election as the pages see it.
    pub data: ElectionData<'a>,
}

/// What the frame of a page needs.
struct Frame<'a> {
    title: String,
    crumbs: Vec<(String, String)>,
    election: Option<&'a str>,
    unit: Option<&'a str>,
    embed: bool,
}

/// The frame of every page.
fn layout(ctx: &Ctx, frame: Frame<'_>, main: Markup) -> String {
    let lang = ctx.lang;
    let i18n = script_messages(lang);
    let doc = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) " · Ashyq" }
                link rel="stylesheet" href=(assets::style_url());
                @for l in Lang::ALL {
                    link rel="alternate" hreflang=(l.code()) href=(format!("{}?lang={}", ctx.path, l.code()));
                }
                script type="application/json" id="ashyq-i18n" { (PreEscaped(i18n)) }
                script src=(assets::app_url()) defer {}
            }
            body.embed[frame.embed] data-election=[frame.election] data-unit=[frame.unit] {
                a.skip href="#main" { (lang.t(Msg::SkipToContent)) }
                @if !frame.embed {
                    header.site {
                        div.wrap {
                            a.brand href=(ctx.link("/")) { (lang.t(Msg::SiteName)) }
                            nav.lang aria-label=(lang.t(Msg::Language)) {
                                ul {
                                    @for l in Lang::ALL {
                                        li { a href=(format!("{}?lang={}", ctx.path, l.code())) hreflang=(l.code()) lang=(l.code()) aria-current=[(l == lang).then_some("true")] { (l.endonym()) } }
                                    }
                                }
                            }
                        }
                    }
                }
                main.wrap #main tabindex="-1" {
                    @if !frame.crumbs.is_empty() {
                        nav.crumbs aria-label=(lang.t(Msg::YouAreHere)) {
                            ol {
                                @for (i, (href, label)) in frame.crumbs.iter().enumerate() {
                                    @if i + 1 == frame.crumbs.len() { li { a href=(href) aria-current="page" { (label) } } }
                                    @else { li { a href=(href) { (label) } } }
                                }
                            }
                        }
                    }
                    (main)
                }
                @if !frame.embed {
                    footer.site { div.wrap { p { (lang.t(Msg::Footer)) } } }
                }
            }
        }
    };
    doc.into_string()
}

/// The labels the script shows, as JSON (`<` escaped so it cannot close the script element).
fn script_messages(lang: Lang) -> String {
    let keys = [
        ("ProofChecking", Msg::ProofChecking),
        ("ProofVerified", Msg::ProofVerified),
        ("ProofFailed", Msg::ProofFailed),
        ("ProofDetails", Msg::ProofDetails),
        ("FailFetch", Msg::FailFetch),
        ("FailUnsigned", Msg::FailUnsigned),
        ("FailLeafMismatch", Msg::FailLeafMismatch),
        ("FailLeafHash", Msg::FailLeafHash),
        ("FailRoot", Msg::FailRoot),
        ("FailSize", Msg::FailSize),
        ("FailSignature", Msg::FailSignature),
        ("FailNoCrypto", Msg::FailNoCrypto),
        ("FailCommissionSignature", Msg::FailCommissionSignature),
        ("FailKeyChanged", Msg::FailKeyChanged),
        ("KeyChangedDetails", Msg::KeyChangedDetails),
        ("CommissionSignatureVerified", Msg::CommissionSignatureVerified),
        ("LiveUpdated", Msg::LiveUpdated),
    ];
    let map: serde_json::Map<String, serde_json::Value> =
        keys.iter().map(|(k, m)| ((*k).to_owned(), lang.t(*m).into())).collect();
    serde_json::Value::Object(map).to_string().replace('<', "\\u003c")
}

fn home_crumb(ctx: &Ctx) -> (String, String) {
    (ctx.link("/"), ctx.lang.t(Msg::Home).to_owned())
}

fn election_crumb(ctx: &Ctx, d: &ElectionData<'_>) -> (String, String) {
    (
        ctx.link(&urls::election(d.election.id().as_str())),
        name_of(d.election, d.tree, NameTarget::Election, ctx.lang),
    )
}

fn contest_crumb(ctx: &Ctx, d: &ElectionData<'_>, c: usize) -> (String, String) {
    let e = d.election;
    (
        ctx.link(&urls::contest(e.id().as_str(), e.contests()[c].id().as_str())),
        name_of(e, d.tree, NameTarget::Contest(c), ctx.lang),
    )
}

/// Computes the outcome under the package's rules (or another rule set).
pub fn compute_outcome(
    d: &ElectionData<'_>,
    rules: Option<RuleSetId>,
) -> Result<ElectionOutcome, OutcomeError> {
    outcome(d.election, d.tree, d.counts, &OutcomeOptions { rules, ..Default::default() })
}

/// Per unit of contest `c`: (protocols expected, protocols received), with `ashyq_tally::
/// progress`'s semantics (a unit with a protocol and none below it counts once), in one pass.
pub fn progress_all(d: &ElectionData<'_>, c: usize) -> Vec<(u64, u64)> {
    let tree = d.tree;
    let counts = &d.counts[c];
    let n = tree.len();
    let mut below = vec![false; n];
    for (u, _) in counts.rows() {
        let mut p = tree.unit(u).parent;
        while let Some(a) = p {
            if below[a] {
                break;
            }
            below[a] = true;
            p = tree.unit(a).parent;
        }
    }
    let mut out = vec![(0u64, 0u64); n];
    for &u in tree.topological_order().iter().rev() {
        let own = counts.row(u).is_some();
        if tree.children(u).is_empty() || (own && !below[u]) {
            out[u] = (1, u64::from(own));
        } else {
            let mut s = (0, 0);
            for &ch in tree.children(u) {
                s.0 += out[ch].0;
                s.1 += out[ch].1;
            }
            out[u] = s;
        }
    }
    out
}

/// The base of shares at a unit: valid votes (options incl. against all), or for a
/// referendum those who took part.
fn base_of(e: &Election, c: usize, t: &Totals) -> Option<u64> {
    let contest = &e.contests()[c];
    if contest.kind() == ContestKind::Referendum {
        t.line(ProtocolLine::BallotsIssued)
    } else {
        (0..contest.options().len()).map(|i| t.option(i)).sum()
    }
}

/// The option with the most votes at a unit (a tie gives `None`), and its votes.
fn leader_of(e: &Election, c: usize, t: &Totals) -> Option<(usize, u64)> {
    let contest = &e.contests()[c];
    let mut best: Option<(usize, u64)> = None;
    let mut tie = false;
    for i in 0..contest.options().len() {
        if contest.options()[i].kind == ashyq_core::election::OptionKind::AgainstAll {
            continue;
        }
        let v = t.option(i)?;
        match best {
            Some((_, bv)) if v == bv => tie = true,
            Some((_, bv)) if v < bv => {}
            _ => {
                best = Some((i, v));
                tie = false;
            }
        }
    }
    if tie {
        None
    } else {
        best
    }
}

fn result_bars(ctx: &Ctx, d: &ElectionData<'_>, c: usize, t: &Totals) -> Markup {
    let lang = ctx.lang;
    let e = d.election;
    let contest = &e.contests()[c];
    let base = base_of(e, c, t);
    let mut order: Vec<usize> = (0..contest.options().len()).collect();
    if contest.kind() != ContestKind::Referendum {
        order.sort_by_key(|&i| {
            (
                contest.options()[i].kind == ashyq_core::election::OptionKind::AgainstAll,
                std::cmp::Reverse(t.option(i).unwrap_or(0)),
            )
        });
    }
    let leader = leader_of(e, c, t).map(|l| l.0);
    let items: Vec<Bar> = order
        .into_iter()
        .map(|i| {
            let v = t.option(i);
            Bar {
                label: name_of(e, d.tree, NameTarget::Option(c, i), lang),
                value: v.map_or_else(|| lang.t(Msg::Unknown).to_owned(), |v| lang.int(v)),
                share: v.zip(base).and_then(|(v, b)| lang.percent(v, b, 2)).unwrap_or_default(),
                width: v
                    .zip(base)
                    .map(|(v, b)| if b == 0 { 0.0 } else { 100.0 * v as f64 / b as f64 })
                    .unwrap_or(0.0),
                color: option_color(e, c, i),
                strong: leader == Some(i),
            }
        })
        .collect();
    html! {
        (charts::bars(&items))
        p.note { (lang.t(if contest.kind() == ContestKind::Referendum { Msg::BaseTookPart } else { Msg::BaseValid })) }
    }
}

fn facts(ctx: &Ctx, d: &ElectionData<'_>, c: usize, u: UnitIdx, progress: (u64, u64)) -> Markup {
    let lang = ctx.lang;
    let t = d.totals(c, u);
    let (expected, reported) = progress;
    let pct = lang.percent(reported, expected, 1).unwrap_or_default();
    let width = if expected == 0 { 0.0 } else { 100.0 * reported as f64 / expected as f64 };
    html! {
        ul.facts {
            li { (lang.f(Msg::ProtocolsReceived, &[("reported", &lang.int(reported)), ("expected", &lang.int(expected)), ("percent", &pct)])) }
            @if let Some(t) = t {
                @if let (Some(i), Some(r)) = (t.line(ProtocolLine::BallotsIssued), t.line(ProtocolLine::Registered)) {
                    li { (lang.f(Msg::TurnoutValue, &[("percent", &lang.percent(i, r, 2).unwrap_or_default())])) }
                }
                @if let Some(r) = t.line(ProtocolLine::Registered) { li { (lang.f(Msg::Registered, &[("n", &lang.int(r))])) } }
                @if let Some(i) = t.line(ProtocolLine::BallotsIssued) { li { (lang.f(Msg::TookPart, &[("n", &lang.int(i))])) } }
            }
        }
        div.progress role="progressbar" aria-label=(lang.t(Msg::ProtocolsShort)) aria-valuemin="0" aria-valuemax=(expected) aria-valuenow=(reported) {
            span style=(format!("width:{width:.1}%")) {}
        }
    }
}

/// The election list.
pub fn election_list(ctx: &Ctx, elections: &[ListedElection<'_>]) -> String {
    let lang = ctx.lang;
    let mut sorted: Vec<&ListedElection<'_>> = elections.iter().collect();
    sorted.sort_by(|a, b| {
        b.data
            .election
            .date()
            .cmp(a.data.election.date())
            .then(a.data.election.id().as_str().cmp(b.data.election.id().as_str()))
    });
    let main = html! {
        h1 { (lang.t(Msg::Elections)) }
        p.muted { (lang.t(Msg::Tagline)) }
        p { (lang.t(Msg::ElectionsIntro)) }
        @if sorted.is_empty() { p { (lang.t(Msg::NoElections)) } }
        ul.cards {
            @for l in &sorted {
                @let d = &l.data;
                @let e = d.election;
                li {
                    h2 { a href=(ctx.link(&urls::election(e.id().as_str()))) { (name_of(e, d.tree, NameTarget::Election, lang)) } }
                    p.muted { (lang.date(e.date())) " · " (lang.t(Msg::RuleSet)) " " code { (e.rules().name()) } }
                    ul {
                        @for c in 0..e.contests().len() {
                            @let p = progress_all(d, c)[e.contests()[c].territory()];
                            li {
                                a href=(ctx.link(&urls::contest(e.id().as_str(), e.contests()[c].id().as_str()))) { (name_of(e, d.tree, NameTarget::Contest(c), lang)) }
                                br;
                                span.muted { (lang.f(Msg::ProtocolsReceived, &[("reported", &lang.int(p.1)), ("expected", &lang.int(p.0)), ("percent", &lang.percent(p.1, p.0, 1).unwrap_or_default())])) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(
        ctx,
        Frame {
            title: lang.t(Msg::Elections).to_owned(),
            crumbs: vec![],
            election: None,
            unit: None,
            embed: false,
        },
        main,
    )
}

/// An election: its contests, each with its headline outcome and progress.
pub fn election_page(ctx: &Ctx, d: &ElectionData<'_>) -> String {
    let lang = ctx.lang;
    let e = d.election;
    let eid = e.id().as_str();
    let title = name_of(e, d.tree, NameTarget::Election, lang);
    let outcome = compute_outcome(d, None);
    let main = html! {
        h1 { (title) }
        p.muted { (lang.date(e.date())) " · " (lang.t(Msg::RuleSet)) " " code { (e.rules().name()) } }
        ul.tabs { li { a href=(ctx.link(&urls::what_if(eid))) { (lang.t(Msg::WhatIfShort)) } } }
        div #live-region data-size=(d.record.size) {
            ul.cards {
                @for c in 0..e.contests().len() {
                    @let contest = &e.contests()[c];
                    @let p = progress_all(d, c)[contest.territory()];
                    li {
                        h2 { a href=(ctx.link(&urls::contest(eid, contest.id().as_str()))) { (name_of(e, d.tree, NameTarget::Contest(c), lang)) } }
                        p.muted { (lang.t(contest_kind_msg(e, c))) }
                        @match &outcome {
                            Ok(o) => p { strong { (headline(e, d.tree, &o.contests[c], lang)) } },
                            Err(OutcomeError::FailedChecks(f)) => p.bad { (lang.f(Msg::OutcomeRefused, &[("n", &f.len().to_string())])) },
                            Err(_) => p.bad { (lang.t(Msg::OutcomeError)) },
                        }
                        p { (lang.f(Msg::ProtocolsReceived, &[("reported", &lang.int(p.1)), ("expected", &lang.int(p.0)), ("percent", &lang.percent(p.1, p.0, 1).unwrap_or_default())])) }
                        p { a href=(ctx.link(&urls::integrity(eid, contest.id().as_str()))) { (lang.t(Msg::Integrity)) } }
                    }
                }
            }
            (record_line(ctx, d))
        }
        p #live-status .live aria-live="polite" {}
    };
    let crumbs = vec![home_crumb(ctx), election_crumb(ctx, d)];
    layout(ctx, Frame { title, crumbs, election: Some(eid), unit: None, embed: false }, main)
}

fn record_line(ctx: &Ctx, d: &ElectionData<'_>) -> Markup {
    let lang = ctx.lang;
    let root = d.record.root_hex.get(..16).unwrap_or(&d.record.root_hex);
    html! {
        p.note.mono { (lang.f(Msg::RecordState, &[("size", &lang.int(d.record.size)), ("signed", &lang.int(d.record.signed_size)), ("root", &format!("{root}…"))])) }
    }
}

fn tabs(ctx: &Ctx, d: &ElectionData<'_>, c: usize, current: u8) -> Markup {
    let lang = ctx.lang;
    let eid = d.election.id().as_str();
    let cid = d.election.contests()[c].id().as_str();
    html! {
        ul.tabs {
            li { a href=(ctx.link(&urls::contest(eid, cid))) aria-current=[(current == 0).then_some("page")] { (lang.t(Msg::Results)) } }
            li { a href=(ctx.link(&urls::integrity(eid, cid))) aria-current=[(current == 1).then_some("page")] { (lang.t(Msg::Integrity)) } }
            li { a href=(ctx.link(&urls::what_if(eid))) { (lang.t(Msg::WhatIfShort)) } }
        }
    }
}

fn unit_crumbs(ctx: &Ctx, d: &ElectionData<'_>, c: usize, u: UnitIdx) -> Vec<(String, String)> {
    let e = d.election;
    let territory = e.contests()[c].territory();
    let mut crumbs = vec![home_crumb(ctx), election_crumb(ctx, d), contest_crumb(ctx, d, c)];
    for a in d.tree.path(u) {
        if a == territory || !d.tree.is_within(a, territory) {
            continue;
        }
        crumbs.push((
            ctx.link(&urls::unit(
                e.id().as_str(),
                e.contests()[c].id().as_str(),
                d.tree.unit(a).id.as_str(),
            )),
            name_of(e, d.tree, NameTarget::Unit(a), ctx.lang),
        ));
    }
    crumbs
}

/// The map of the first-level units below `u`, when they are the units of a map layout.
fn map_section(
    ctx: &Ctx,
    d: &ElectionData<'_>,
    c: usize,
    u: UnitIdx,
    embed: bool,
) -> Option<Markup> {
    let lang = ctx.lang;
    let e = d.election;
    let layout = map::layout_for(e.date());
    let children = d.tree.children(u);
    if children.is_empty()
        || !children.iter().all(|&ch| layout.shape(d.tree.unit(ch).id.as_str()).is_some())
    {
        return None;
    }
    let eid = e.id().as_str();
    let cid = e.contests()[c].id().as_str();
    let mut leaders: Vec<usize> = Vec::new();
    let fill = |iso: &str| -> Option<Fill> {
        let ch = *children.iter().find(|&&ch| d.tree.unit(ch).id.as_str() == iso)?;
        let t = d.totals(c, ch)?;
        let (o, v) = leader_of(e, c, t)?;
        let base = base_of(e, c, t)?;
        let share = if base == 0 { 0.0 } else { 100.0 * v as f64 / base as f64 };
        let name = name_of(e, d.tree, NameTarget::Unit(ch), lang);
        let href =
            if embed { urls::unit(eid, cid, iso) } else { ctx.link(&urls::unit(eid, cid, iso)) };
        Some(Fill {
            color: option_color(e, c, o),
            opacity: (0.3 + 0.7 * ((share - 30.0) / 50.0).clamp(0.0, 1.0)).min(1.0),
            href,
            label: format!(
                "{name}: {} {}",
                name_of(e, d.tree, NameTarget::Option(c, o), lang),
                lang.percent(v, base, 1).unwrap_or_default()
            ),
        })
    };
    for &ch in children {
        if let Some((o, _)) = d.totals(c, ch).and_then(|t| leader_of(e, c, t)) {
            if !leaders.contains(&o) {
                leaders.push(o);
            }
        }
    }
    leaders.sort_unstable();
    let title_id = "map-title";
    Some(html! {
        section.map-wrap aria-labelledby=(title_id) {
            h2 #(title_id) { (lang.t(Msg::Map)) ": " (lang.t(Msg::Leader)) }
            p.note { (lang.t(Msg::MapCaption)) }
            (map::choropleth(lang, layout, &fill, title_id))
            ul.legend {
                @for o in &leaders {
                    li { span.swatch style=(format!("background:{}", option_color(e, c, *o))) {} (name_of(e, d.tree, NameTarget::Option(c, *o), lang)) }
                }
            }
            p.attribution { (lang.t(Msg::MapAttribution)) }
        }
    })
}

fn children_table(
    ctx: &Ctx,
    d: &ElectionData<'_>,
    c: usize,
    u: UnitIdx,
    progress: &[(u64, u64)],
) -> Markup {
    let lang = ctx.lang;
    let e = d.election;
    let eid = e.id().as_str();
    let cid = e.contests()[c].id().as_str();
    let children = d.tree.children(u);
    html! {
        @if !children.is_empty() {
            h2 #units { (lang.t(Msg::ChildUnits)) }
            div.table-scroll tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { (lang.t(Msg::Unit)) }
                        th scope="col" { (lang.t(Msg::Leader)) }
                        th.num scope="col" { (lang.t(Msg::Share)) }
                        th.num scope="col" { (lang.t(Msg::Turnout)) }
                        th.num scope="col" { (lang.t(Msg::ProtocolsShort)) }
                    } }
                    tbody {
                        @for &ch in children {
                            @let t = d.totals(c, ch);
                            @let leader = t.and_then(|t| leader_of(e, c, t));
                            @let base = t.and_then(|t| base_of(e, c, t));
                            tr {
                                th scope="row" { a href=(ctx.link(&urls::unit(eid, cid, d.tree.unit(ch).id.as_str()))) data-child=(d.tree.unit(ch).id.as_str()) { (name_of(e, d.tree, NameTarget::Unit(ch), lang)) } }
                                td {
                                    @if let Some((o, _)) = leader { span.swatch style=(format!("background:{}", option_color(e, c, o))) {} (name_of(e, d.tree, NameTarget::Option(c, o), lang)) }
                                    @else if t.is_none() { span.muted { (lang.t(Msg::NoProtocolsYet)) } }
                                }
                                td.num { @if let (Some((_, v)), Some(b)) = (leader, base) { (lang.percent(v, b, 1).unwrap_or_default()) } }
                                td.num { @if let Some(t) = t { @if let (Some(i), Some(r)) = (t.line(ProtocolLine::BallotsIssued), t.line(ProtocolLine::Registered)) { (lang.percent(i, r, 1).unwrap_or_default()) } } }
                                td.num { (lang.int(progress[ch].1)) " / " (lang.int(progress[ch].0)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn embed_snippets(ctx: &Ctx, d: &ElectionData<'_>, c: usize, u: UnitIdx, with_map: bool) -> Markup {
    let lang = ctx.lang;
    let e = d.election;
    let eid = e.id().as_str();
    let cid = e.contests()[c].id().as_str();
    let uid = d.tree.unit(u).id.as_str();
    let unit_src = ctx.link(&urls::embed_unit(eid, cid, uid));
    let map_src = ctx.link(&urls::embed_map(eid, cid));
    html! {
        details {
            summary { (lang.t(Msg::Embed)) }
            p { (lang.t(Msg::EmbedNote)) }
            @if with_map {
                pre.embed { (format!("<iframe src=\"{map_src}\" title=\"{}\" width=\"100%\" height=\"560\" style=\"border:0\"></iframe>", lang.t(Msg::Map))) }
            }
            pre.embed { (format!("<iframe src=\"{unit_src}\" title=\"{}\" width=\"100%\" height=\"420\" style=\"border:0\"></iframe>", lang.t(Msg::Results))) }
        }
        p.note {
            (lang.t(Msg::OpenData)) ": "
            a href=(urls::api_results(eid, cid, uid)) { "JSON" } " · "
            a href=(format!("{}?by=region", urls::api_csv(eid))) { "CSV" }
        }
    }
}

/// A contest at a unit of its territory (the territory itself: the national page with the
/// outcome and the map). A polling station goes to [`station_page`] instead.
pub fn contest_page(ctx: &Ctx, d: &ElectionData<'_>, c: usize, u: UnitIdx) -> String {
    let lang = ctx.lang;
    let e = d.election;
    let contest = &e.contests()[c];
    let eid = e.id().as_str();
    let at_territory = u == contest.territory();
    let unit_name = name_of(e, d.tree, NameTarget::Unit(u), lang);
    let contest_name = name_of(e, d.tree, NameTarget::Contest(c), lang);
    let title = if at_territory { contest_name.clone() } else { unit_name.clone() };
    let progress = progress_all(d, c);
    let t = d.totals(c, u);
    let outcome = at_territory.then(|| compute_outcome(d, None));
    let kind = &d.tree.unit(u).kind;
    let main = html! {
        h1 { (title) }
        p.muted {
            @if !at_territory { (lang.t(kind_msg(kind))) " · " (contest_name) " · " }
            (name_of(e, d.tree, NameTarget::Election, lang))
        }
        (tabs(ctx, d, c, 0))
        div #live-region data-size=(d.record.size) {
            h2 { (lang.f(Msg::ResultsAt, &[("unit", &unit_name)])) }
            (facts(ctx, d, c, u, progress[u]))
            @match t {
                Some(t) => (result_bars(ctx, d, c, t)),
                None => p { (lang.t(Msg::NoResultsForUnit)) },
            }
            @if let Some(o) = &outcome {
                section.outcome aria-labelledby="outcome-title" {
                    h2 #outcome-title { (lang.t(Msg::OutcomeTitle)) }
                    @match o {
                        Ok(o) => (explanation(e, d.tree, &o.contests[c], lang)),
                        Err(OutcomeError::FailedChecks(f)) => p.bad { (lang.f(Msg::OutcomeRefused, &[("n", &f.len().to_string())])) },
                        Err(_) => p.bad { (lang.t(Msg::OutcomeError)) },
                    }
                }
            }
            @if let Some(m) = map_section(ctx, d, c, u, false) { (m) }
            (children_table(ctx, d, c, u, &progress))
            @if at_territory { (arrivals_section(ctx, d, c, progress[u].0)) }
            (record_line(ctx, d))
        }
        p #live-status .live aria-live="polite" {}
        (embed_snippets(ctx, d, c, u, d.tree.children(u).iter().all(|&ch| map::layout_for(e.date()).shape(d.tree.unit(ch).id.as_str()).is_some()) && !d.tree.children(u).is_empty()))
    };
    let crumbs = unit_crumbs(ctx, d, c, u);
    layout(
        ctx,
        Frame {
            title,
            crumbs,
            election: Some(eid),
            unit: Some(d.tree.unit(u).id.as_str()),
            embed: false,
        },
        main,
    )
}

/// Reporting progress over the night: protocols received against time, or one sentence when
/// they were all recorded at one moment (an imported package).
fn arrivals_section(ctx: &Ctx, d: &ElectionData<'_>, c: usize, expected: u64) -> Markup {
    let lang = ctx.lang;
    let points = d.arrivals.get(c).map(Vec::as_slice).unwrap_or_default();
    let (Some(&(first, _)), Some(&(last, _))) = (points.first(), points.last()) else {
        return html! {};
    };
    let received: u64 = points.iter().map(|p| p.1).sum();
    let when = |t: i64| lang.datetime(&charts::utc_text(t));
    html! {
        section.arrivals aria-labelledby="arrivals-title" {
            h2 #arrivals-title { (lang.t(Msg::ArrivalsTitle)) }
            @if first == last {
                p { (lang.f(Msg::ArrivalsAtOnce, &[("received", &lang.int(received)), ("time", &when(first))])) }
            } @else {
                @let desc = lang.f(Msg::ArrivalsDesc, &[("received", &lang.int(received)), ("expected", &lang.int(expected)), ("from", &when(first)), ("to", &when(last))]);
                figure {
                    (charts::arrivals(points, expected, lang.t(Msg::ArrivalsTitle), &desc, lang.t(Msg::ArrivalsAxis)))
                    figcaption { (desc) }
                }
            }
        }
    }
}

fn line_label(lang: Lang, d: &ElectionData<'_>, c: usize, line: &str) -> String {
    let e = d.election;
    if let Some(p) = ProtocolLine::from_name(line) {
        return lang.t(protocol_line_msg(p)).to_owned();
    }
    match e.contests()[c].option_index(line) {
        Some(o) => name_of(e, d.tree, NameTarget::Option(c, o), lang),
        None => line.to_owned(),
    }
}

/// The label of a protocol line.
pub fn protocol_line_msg(p: ProtocolLine) -> Msg {
    match p {
        ProtocolLine::Registered => Msg::LineRegistered,
        ProtocolLine::BallotsReceived => Msg::LineBallotsReceived,
        ProtocolLine::BallotsIssued => Msg::LineBallotsIssued,
        ProtocolLine::BallotsCancelled => Msg::LineBallotsCancelled,
        ProtocolLine::BallotsFound => Msg::LineBallotsFound,
        ProtocolLine::Invalid => Msg::LineInvalid,
        ProtocolLine::NotCounted => Msg::LineNotCounted,
        ProtocolLine::Absentee => Msg::LineAbsentee,
        ProtocolLine::Mobile => Msg::LineMobile,
        ProtocolLine::AbsenteeCertificates => Msg::LineAbsenteeCertificates,
        ProtocolLine::MobileApplications => Msg::LineMobileApplications,
    }
}

/// A polling station (or any unit with its own protocol): the protocol as it stands, its
/// version history, observer copies and the in-browser proof check.
pub fn station_page(
    ctx: &Ctx,
    d: &ElectionData<'_>,
    c: usize,
    u: UnitIdx,
    history: &[ProtocolVersion],
    observers: &ObserverCopies,
) -> String {
    let lang = ctx.lang;
    let e = d.election;
    let contest = &e.contests()[c];
    let (eid, cid, uid) = (e.id().as_str(), contest.id().as_str(), d.tree.unit(u).id.as_str());
    let title = name_of(e, d.tree, NameTarget::Unit(u), lang);
    let latest = history.last();
    let t = d.totals(c, u);
    let expect = latest.map(|v| {
        let lines: serde_json::Map<String, serde_json::Value> =
            v.values.iter().map(|(k, n)| (k.clone(), (*n).into())).collect();
        serde_json::json!({"election": eid, "contest": cid, "unit": uid, "version": v.version, "lines": lines}).to_string()
    });
    let main = html! {
        h1 { (title) }
        p.muted { (lang.t(kind_msg(&d.tree.unit(u).kind))) " · " code { (uid) } " · " (name_of(e, d.tree, NameTarget::Contest(c), lang)) }
        (tabs(ctx, d, c, 2))
        div #live-region data-size=(d.record.size) {
            @match (latest, t) {
                (Some(v), Some(t)) => {
                    @if !d.tree.children(u).is_empty() { p.note { (lang.t(Msg::SummaryProtocol)) } }
                    (facts(ctx, d, c, u, (1, 1)))
                    h2 { (lang.t(Msg::Results)) }
                    (result_bars(ctx, d, c, t))
                    h2 #protocol { (lang.t(Msg::Protocol)) }
                    div.table-scroll tabindex="0" {
                        table data-protocol="" {
                            thead { tr { th scope="col" { (lang.t(Msg::ProtocolLine)) } th.num scope="col" { (lang.t(Msg::Value)) } } }
                            tbody {
                                @for (line, value) in &v.values {
                                    tr data-line=(line) { th scope="row" { (line_label(lang, d, c, line)) } td.num { (lang.int(*value)) } }
                                }
                            }
                        }
                    }
                    section.proof data-proof=(urls::api_protocol(eid, cid, uid)) data-expect=[expect.as_deref()] data-state="idle" aria-labelledby="proof-title" {
                        h2 #proof-title { (lang.t(Msg::ProofTitle)) }
                        p { (lang.t(Msg::ProofIntro)) }
                        p.status role="status" aria-live="polite" { noscript { (lang.t(Msg::ProofNoScript)) } }
                        p.details.mono {}
                    }
                    h2 #history { (lang.t(Msg::VersionHistory)) }
                    @if history.len() > 1 { p { (lang.f(Msg::Corrected, &[("n", &history.len().to_string())])) } }
                    div.table-scroll tabindex="0" {
                        table data-history="" {
                            thead { tr {
                                th.num scope="col" { (lang.t(Msg::Version)) }
                                th scope="col" { (lang.t(Msg::Time)) }
                                th scope="col" { (lang.t(Msg::EnteredBy)) }
                                th scope="col" { (lang.t(Msg::Reason)) }
                                th scope="col" { (lang.t(Msg::LinesChanged)) }
                                th.num scope="col" { (lang.t(Msg::LogEntry)) }
                            } }
                            tbody {
                                @for (i, h) in history.iter().enumerate() {
                                    tr {
                                        td.num { (h.version) }
                                        td { (lang.datetime(&h.time)) }
                                        td {
                                            (h.author)
                                            @if let Some(k) = &h.signature_key {
                                                br; small.signed data-signed-key=(k) { (lang.f(Msg::SignedByCommission, &[("key", k)])) }
                                            }
                                        }
                                        td { @if i == 0 && h.reason.is_empty() { (lang.t(Msg::FirstEntry)) } @else { (h.reason) } }
                                        td { (changed_lines(lang, d, c, history.get(i.wrapping_sub(1)).filter(|_| i > 0), h)) }
                                        td.num { (h.log_index + 1) }
                                    }
                                }
                            }
                        }
                    }
                }
                _ => { p { (lang.t(Msg::NotReported)) } }
            }
            h2 #observers { (lang.t(Msg::ObserverCopies)) }
            @match observers {
                ObserverCopies::NotStored => p.note { (lang.t(Msg::ObserverCopiesNotStored)) },
                ObserverCopies::Copies(list) if list.is_empty() => p { (lang.t(Msg::ObserverCopiesNone)) },
                ObserverCopies::Copies(list) => {
                    @for copy in list {
                        h3 { (lang.t(Msg::Observer)) ": " (copy.observer) " · " (lang.datetime(&copy.time)) }
                        div.table-scroll tabindex="0" {
                            table {
                                thead { tr { th scope="col" { (lang.t(Msg::ProtocolLine)) } th.num scope="col" { (lang.t(Msg::Official)) } th.num scope="col" { (lang.t(Msg::Observer)) } th scope="col" { (lang.t(Msg::Mismatch)) } } }
                                tbody {
                                    @for (line, value) in &copy.values {
                                        @let official = latest.and_then(|v| v.values.iter().find(|(l, _)| l == line).map(|x| x.1));
                                        tr {
                                            th scope="row" { (line_label(lang, d, c, line)) }
                                            td.num { (official.map(|o| lang.int(o)).unwrap_or_default()) }
                                            td.num { (lang.int(*value)) }
                                            td { @if official != Some(*value) { strong.bad { (lang.t(Msg::Mismatch)) } } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (record_line(ctx, d))
        }
        p #live-status .live aria-live="polite" {}
    };
    let crumbs = unit_crumbs(ctx, d, c, u);
    layout(ctx, Frame { title, crumbs, election: Some(eid), unit: Some(uid), embed: false }, main)
}

fn changed_lines(
    lang: Lang,
    d: &ElectionData<'_>,
    c: usize,
    prev: Option<&ProtocolVersion>,
    v: &ProtocolVersion,
) -> String {
    let Some(prev) = prev else { return String::new() };
    let mut out = Vec::new();
    for (line, value) in &v.values {
        let old = prev.values.iter().find(|(l, _)| l == line).map(|x| x.1);
        if old != Some(*value) {
            out.push(format!(
                "{}: {} → {}",
                line_label(lang, d, c, line),
                old.map(|o| lang.int(o)).unwrap_or_else(|| "—".into()),
                lang.int(*value)
            ));
        }
    }
    out.join("; ")
}

/// The integrity page of a contest: fingerprint heat-map, turnout histogram and the
/// forensics report (computed by the caller, once per snapshot).
pub fn integrity_page(
    ctx: &Ctx,
    d: &ElectionData<'_>,
    c: usize,
    report: Option<&ashyq_forensics::Report>,
) -> String {
    let lang = ctx.lang;
    let e = d.election;
    let eid = e.id().as_str();
    let contest_name = name_of(e, d.tree, NameTarget::Contest(c), lang);
    let title = format!("{} — {}", lang.t(Msg::Integrity), contest_name);
    let p3 = |p: f64| {
        if p < 0.0001 {
            "< 0,0001".replace(',', if lang == Lang::En { "." } else { "," })
        } else {
            lang.decimal(&format!("{p:.4}"))
        }
    };
    let main = html! {
        h1 { (title) }
        p.muted { (name_of(e, d.tree, NameTarget::Election, lang)) }
        (tabs(ctx, d, c, 1))
        p { (lang.t(Msg::IntegrityIntro)) }
        @match report {
            None => p { (lang.t(Msg::IntegrityNeedsStations)) },
            Some(r) => {
                @let leader = r.leader.id.as_str();
                @let leader_name = e.contests()[c].option_index(leader).map(|o| name_of(e, d.tree, NameTarget::Option(c, o), lang)).unwrap_or_else(|| r.leader.name.clone());
                p { (lang.f(Msg::StationsAnalysed, &[("n", &lang.int(r.fingerprint.result.stations)), ("leader", &leader_name)])) }
                h2 { (lang.t(Msg::Fingerprint)) }
                (charts::heatmap(&r.fingerprint.result.counts, lang.t(Msg::Fingerprint), lang.t(Msg::FingerprintNote), lang.t(Msg::Turnout), &leader_name))
                p.note { (lang.t(Msg::FingerprintNote)) }
                h2 { (lang.t(Msg::TurnoutHistogram)) }
                (charts::histogram(&r.turnout_hist, charts::PALETTE[0], lang.t(Msg::TurnoutHistogram), lang.t(Msg::TurnoutHistogramNote), lang.t(Msg::Turnout)))
                p.note { (lang.t(Msg::TurnoutHistogramNote)) }
                h2 { (lang.t(Msg::ForensicsTitle)) }
                div.table-scroll tabindex="0" {
                    table {
                        thead { tr { th scope="col" { (lang.t(Msg::Method)) } th scope="col" { (lang.t(Msg::Finding)) } th scope="col" { (lang.t(Msg::WhatItMeans)) } } }
                        tbody {
                            @let ip = &r.integer_percentages.result.either;
                            tr {
                                th scope="row" { (lang.t(Msg::IntegerPercentages)) }
                                td { (lang.f(Msg::IntegerPercentagesFinding, &[("observed", &lang.int(ip.observed)), ("expected", &lang.decimal(&format!("{:.1}", ip.expected))), ("p", &p3(ip.p_value))])) br; (flag(lang, r.flags.integer_percentages)) }
                                td { (lang.t(Msg::IntegerPercentagesMeans)) }
                            }
                            tr {
                                th scope="row" { (lang.t(Msg::KlimekModel)) }
                                td { @match &r.klimek.result { Some(k) => (lang.f(Msg::KlimekFinding, &[("fi", &lang.decimal(&format!("{:.3}", k.f_i))), ("fe", &lang.decimal(&format!("{:.3}", k.f_e)))])), None => (lang.t(Msg::NotEnoughData)) } }
                                td { (lang.t(Msg::KlimekMeans)) }
                            }
                            tr {
                                th scope="row" { (lang.t(Msg::Shpilkin)) }
                                td { @match &r.shpilkin.result { Some(s) => (lang.f(Msg::ShpilkinFinding, &[("n", &lang.int(s.anomalous_votes))])), None => (lang.t(Msg::NotEnoughData)) } }
                                td { (lang.t(Msg::ShpilkinMeans)) }
                            }
                            @let dg = &r.digits.result.all_options;
                            tr {
                                th scope="row" { (lang.t(Msg::Digits)) }
                                td { (lang.f(Msg::DigitsFinding, &[("p", &p3(dg.last_digit.resampled.p_value)), ("p05", &p3(dg.zero_five.resampled_p_value))])) br; (flag(lang, r.flags.last_digit || r.flags.zero_five)) }
                                td { (lang.t(Msg::DigitsMeans)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let crumbs = vec![
        home_crumb(ctx),
        election_crumb(ctx, d),
        contest_crumb(ctx, d, c),
        (
            ctx.link(&urls::integrity(eid, e.contests()[c].id().as_str())),
            lang.t(Msg::Integrity).to_owned(),
        ),
    ];
    layout(ctx, Frame { title, crumbs, election: Some(eid), unit: None, embed: false }, main)
}

fn flag(lang: Lang, flagged: bool) -> Markup {
    html! { @if flagged { strong.bad { (lang.t(Msg::Flagged)) } } @else { span.muted { (lang.t(Msg::NotFlagged)) } } }
}

/// The "what if" view: the same votes under kz-2007, kz-2022 and kz-2026 (and the package's
/// own rule set if it is another), side by side, labelled hypothetical.
pub fn what_if_page(ctx: &Ctx, d: &ElectionData<'_>) -> String {
    let lang = ctx.lang;
    let e = d.election;
    let eid = e.id().as_str();
    let mut sets = vec![RuleSetId::Kz2007, RuleSetId::Kz2022, RuleSetId::Kz2026];
    if !sets.contains(&e.rules()) && e.rules() != RuleSetId::None {
        sets.insert(0, e.rules());
    }
    let outcomes: Vec<(RuleSetId, Result<ElectionOutcome, OutcomeError>)> =
        sets.iter().map(|&r| (r, compute_outcome(d, Some(r)))).collect();
    let title = lang.t(Msg::WhatIf).to_owned();
    let main = html! {
        h1 { (title) }
        p.muted { (name_of(e, d.tree, NameTarget::Election, lang)) }
        p { (lang.t(Msg::WhatIfIntro)) }
        // When each rule set was the law, where it was not on the election day.
        @let dated: Vec<String> = outcomes
            .iter()
            .filter_map(|(_, o)| o.as_ref().ok())
            .flat_map(|o| o.warnings.iter())
            .map(|w| crate::outcome::election_warning(e, d.tree, w, lang))
            .collect();
        @if !dated.is_empty() {
            ul.note data-what-if-warnings {
                @for text in &dated { li { (text) } }
            }
        }
        @for (c, contest) in e.contests().iter().enumerate() {
            h2 { (name_of(e, d.tree, NameTarget::Contest(c), lang)) }
            div.table-scroll tabindex="0" {
                table data-what-if=(contest.id().as_str()) {
                    thead { tr {
                        th scope="col" { (lang.t(Msg::RuleSet)) }
                        th scope="col" { (lang.t(Msg::OutcomeTitle)) }
                    } }
                    tbody {
                        @for (r, o) in &outcomes {
                            tr {
                                th scope="row" {
                                    code { (r.name()) } br;
                                    span.muted { @if *r == e.rules() { (lang.t(Msg::PackageRules)) } @else { (lang.t(Msg::Hypothetical)) } }
                                }
                                td {
                                    @match o {
                                        Ok(o) => {
                                            p { strong { (headline(e, d.tree, &o.contests[c], lang)) } }
                                            @if let ashyq_core::rules::ContestResult::PartyList(p) = &o.contests[c].result {
                                                p.note { (lang.f(Msg::SeatsTotal, &[("n", &p.seats_total.to_string())])) " · " (lang.f(Msg::Threshold, &[("percent", &lang.percent_str_exact(p.threshold_percent))])) }
                                            }
                                            @if let Some(why) = &o.contests[c].undetermined { (crate::outcome::why_undetermined(e, d.tree, c, why, lang)) }
                                        }
                                        Err(OutcomeError::FailedChecks(f)) => p.bad { (lang.f(Msg::OutcomeRefused, &[("n", &f.len().to_string())])) },
                                        Err(_) => p.bad { (lang.t(Msg::OutcomeError)) },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let crumbs = vec![
        home_crumb(ctx),
        election_crumb(ctx, d),
        (ctx.link(&urls::what_if(eid)), lang.t(Msg::WhatIfShort).to_owned()),
    ];
    layout(ctx, Frame { title, crumbs, election: Some(eid), unit: None, embed: false }, main)
}

/// Widget: the map of a contest, for an iframe (no header or footer; links open the full
/// page in a new tab).
pub fn embed_map(ctx: &Ctx, d: &ElectionData<'_>, c: usize) -> Option<String> {
    let lang = ctx.lang;
    let e = d.election;
    let u = e.contests()[c].territory();
    let m = map_section(ctx, d, c, u, true)?;
    let eid = e.id().as_str();
    let full = ctx.link(&urls::contest(eid, e.contests()[c].id().as_str()));
    let main = html! {
        h1 { (name_of(e, d.tree, NameTarget::Contest(c), lang)) }
        div #live-region data-size=(d.record.size) { (m) }
        p { a href=(full) target="_blank" rel="noopener" { (lang.t(Msg::FullResults)) } }
    };
    let title = name_of(e, d.tree, NameTarget::Contest(c), lang);
    Some(layout(
        ctx,
        Frame {
            title,
            crumbs: vec![],
            election: Some(eid),
            unit: Some(d.tree.unit(u).id.as_str()),
            embed: true,
        },
        main,
    ))
}

/// Widget: a contest's result at one unit, for an iframe.
pub fn embed_unit(ctx: &Ctx, d: &ElectionData<'_>, c: usize, u: UnitIdx) -> String {
    let lang = ctx.lang;
    let e = d.election;
    let eid = e.id().as_str();
    let cid = e.contests()[c].id().as_str();
    let uid = d.tree.unit(u).id.as_str();
    let progress = progress_all(d, c);
    let name = name_of(e, d.tree, NameTarget::Unit(u), lang);
    let main = html! {
        h1 { (name) }
        p.muted { (name_of(e, d.tree, NameTarget::Contest(c), lang)) }
        div #live-region data-size=(d.record.size) {
            (facts(ctx, d, c, u, progress[u]))
            @match d.totals(c, u) { Some(t) => (result_bars(ctx, d, c, t)), None => p { (lang.t(Msg::NoResultsForUnit)) } }
        }
        p { a href=(ctx.link(&urls::unit(eid, cid, uid))) target="_blank" rel="noopener" { (lang.t(Msg::FullResults)) } }
    };
    layout(
        ctx,
        Frame { title: name, crumbs: vec![], election: Some(eid), unit: Some(uid), embed: true },
        main,
    )
}

/// The page for an unknown election, contest or unit (served with 404).
pub fn not_found(ctx: &Ctx) -> String {
    let lang = ctx.lang;
    let main = html! {
        h1 { (lang.t(Msg::NotFound)) }
        p { (lang.t(Msg::NotFoundBody)) }
        p { a href=(ctx.link("/")) { (lang.t(Msg::Home)) } }
    };
    layout(
        ctx,
        Frame {
            title: lang.t(Msg::NotFound).to_owned(),
            crumbs: vec![],
            election: None,
            unit: None,
            embed: false,
        },
        main,
    )
}

/// Whether unit `u` of contest `c` is shown as a station page (it is a leaf, or it has its
/// own protocol).
pub fn is_station(d: &ElectionData<'_>, c: usize, u: UnitIdx) -> bool {
    d.tree.children(u).is_empty()
        || (d.counts[c].row(u).is_some() && u != d.election.contests()[c].territory())
}

/// The unit index of `id` within contest `c`'s territory.
pub fn unit_in_contest(tree: &UnitTree, e: &Election, c: usize, id: &str) -> Option<UnitIdx> {
    let u = tree.index_of(id)?;
    tree.is_within(u, e.contests()[c].territory()).then_some(u)
}
