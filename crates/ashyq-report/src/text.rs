//! The outcome as plain text: every figure and rule a reader needs to re-check it by hand.

use std::fmt::Write;

use ashyq_core::election::Election;
use ashyq_core::rules::{percent, ContestOutcome, ContestResult, ElectionOutcome, UnitsBasis};
use ashyq_core::units::UnitTree;

use crate::option_id;

fn pct(a: u64, b: Option<u64>) -> String {
    b.and_then(|b| percent(a, b, 2)).map_or_else(|| "-".to_owned(), |p| format!("{p}%"))
}

fn num(v: Option<u64>) -> String {
    v.map_or_else(|| "unknown".to_owned(), group)
}

/// 12345678 → "12,345,678".
fn group(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "undetermined",
    }
}

/// The whole election's outcome as text.
pub fn outcome_text(election: &Election, tree: &UnitTree, outcome: &ElectionOutcome) -> String {
    let mut s = String::new();
    let rs = outcome.rules.rule_set();
    let _ = writeln!(s, "{} ({}), {}", election.name(), election.id(), election.date());
    let _ = writeln!(s, "Rule set: {} — {}", outcome.rules, rs.title);
    for co in &outcome.contests {
        s.push('\n');
        contest_text(&mut s, election, tree, co);
    }
    s
}

fn contest_text(s: &mut String, election: &Election, tree: &UnitTree, co: &ContestOutcome) {
    let c = co.contest;
    let contest = &election.contests()[c];
    let name = |i: usize| {
        let o = &contest.options()[i];
        if o.name.is_empty() {
            option_id(election, c, i).to_owned()
        } else {
            o.name.clone()
        }
    };
    let _ = writeln!(
        s,
        "== {} [{}, {}] in {} ==",
        contest.name(),
        contest.id(),
        contest.kind(),
        tree.unit(contest.territory()).name
    );
    match &co.result {
        ContestResult::NoRules => {
            let _ =
                writeln!(s, "No legal outcome: the package's rule set is \"none\" (counts only).");
        }
        ContestResult::Referendum(r) => {
            let _ = writeln!(s, "Registered voters: {}", num(r.registered));
            let _ = writeln!(
                s,
                "Took part (ballots issued): {} = {} of registered",
                num(r.took_part),
                r.took_part.map_or("-".into(), |t| pct(t, r.registered))
            );
            let _ = writeln!(
                s,
                "Yes: {} = {} of those who took part; No: {}; invalid: {}; not counted (both marked): {}",
                num(r.yes),
                r.yes.map_or("-".into(), |y| pct(y, r.took_part)),
                num(r.no),
                num(r.invalid),
                num(r.not_counted)
            );
            let _ = writeln!(
                s,
                "1. Valid (more than half of the registered took part)? {}",
                yes_no(r.valid)
            );
            let _ = writeln!(
                s,
                "2. Yes has more than half of those who took part, nationally? {}",
                yes_no(r.national_majority)
            );
            if r.constitutional {
                let _ = writeln!(
                    s,
                    "3. Constitutional question: yes in at least ceil(2n/3) = {} of n = {} regions and cities of republican significance, by the {} test{}.",
                    r.units_required,
                    r.units_total,
                    r.unit_test.name(),
                    if r.unit_test_from_package { " (chosen by the package)" } else { " (the rule set's default; the sources disagree)" }
                );
            } else {
                let _ = writeln!(s, "3. Not a constitutional question: the two-thirds-of-units test does not apply.");
            }
            if !r.units.is_empty() && r.units_basis != UnitsBasis::Reported {
                let _ = writeln!(
                    s,
                    "   {:<28} {:>12} {:>12} {:>9} {:>8} {:>13} {:>9}",
                    "unit",
                    "registered",
                    "took part",
                    "turnout",
                    "yes %",
                    "yes-majority",
                    "turnout>50%"
                );
                for u in &r.units {
                    let unit = tree.unit(u.unit);
                    let _ = writeln!(
                        s,
                        "   {:<28} {:>12} {:>12} {:>9} {:>8} {:>13} {:>9}",
                        truncate(&unit.name, 28),
                        num(u.registered),
                        num(u.took_part),
                        u.took_part.map_or("-".into(), |t| pct(t, u.registered)),
                        u.yes.map_or("-".into(), |y| pct(y, u.took_part)),
                        yes_no(u.yes_majority),
                        yes_no(u.turnout_majority)
                    );
                }
            }
            match r.units_basis {
                UnitsBasis::Computed => {
                    let _ = writeln!(
                        s,
                        "   Units in favour: {} by the yes-majority test, {} by the turnout test.",
                        r.units_yes_majority.map_or("undetermined".into(), |v| v.to_string()),
                        r.units_turnout_majority.map_or("undetermined".into(), |v| v.to_string())
                    );
                }
                UnitsBasis::Reported => {
                    let _ = writeln!(
                        s,
                        "   Units in favour: {} as officially reported (the package has no counts per unit).",
                        r.units_in_favour.map_or("-".into(), |v| v.to_string())
                    );
                }
                UnitsBasis::NotApplicable | UnitsBasis::Unknown => {}
            }
            if r.constitutional {
                let _ = writeln!(s, "   Territorial test passed? {}", yes_no(r.territorial_pass));
            }
            let _ = writeln!(
                s,
                "Result: {}",
                match r.adopted {
                    Some(true) => "ADOPTED",
                    Some(false) if r.valid == Some(false) =>
                        "NOT ADOPTED (the referendum is not valid)",
                    Some(false) => "NOT ADOPTED",
                    None => "UNDETERMINED",
                }
            );
        }
        ContestResult::Presidential(p) => {
            let _ = writeln!(
                s,
                "Round {}. Base of percentages = candidate votes + against all = {}",
                p.round,
                num(p.base)
            );
            for r in &p.candidates {
                let _ = writeln!(
                    s,
                    "   {:<36} {:>12} {:>8}",
                    truncate(&name(r.option), 36),
                    group(r.votes),
                    pct(r.votes, p.base)
                );
            }
            if let Some(a) = p.against_all {
                let _ =
                    writeln!(s, "   {:<36} {:>12} {:>8}", "Against all", group(a), pct(a, p.base));
            }
            if p.against_all_majority {
                let _ = writeln!(s, "\"Against all\" has more than half of the base: by law this has no legal effect.");
            }
            match (p.winner, p.runoff) {
                (Some(w), _) if p.round == 2 => {
                    let _ = writeln!(s, "Result: {} wins the run-off with more votes.", name(w));
                }
                (Some(w), _) => {
                    let _ = writeln!(
                        s,
                        "Result: {} is elected with more than 50% of the base.",
                        name(w)
                    );
                }
                (None, Some([a, b])) => {
                    let _ = writeln!(
                        s,
                        "Result: no candidate has more than 50%; run-off between {} and {}.",
                        name(a),
                        name(b)
                    );
                }
                _ => {
                    let _ = writeln!(s, "Result: UNDETERMINED");
                }
            }
        }
        ContestResult::SingleMember(m) => {
            let _ =
                writeln!(s, "Plurality. Valid votes (candidates + against all) = {}", num(m.base));
            for r in &m.candidates {
                let _ = writeln!(
                    s,
                    "   {:<36} {:>12} {:>8}",
                    truncate(&name(r.option), 36),
                    group(r.votes),
                    pct(r.votes, m.base)
                );
            }
            if let Some(a) = m.against_all {
                let _ =
                    writeln!(s, "   {:<36} {:>12} {:>8}", "Against all", group(a), pct(a, m.base));
            }
            if m.against_all_exceeds_winner {
                let _ = writeln!(s, "\"Against all\" got more votes than the winner: no legal effect was found in the law.");
            }
            match m.winner {
                Some(w) => {
                    let _ = writeln!(s, "Result: {} is elected (most votes).", name(w));
                }
                None => {
                    let _ = writeln!(s, "Result: UNDETERMINED");
                }
            }
        }
        ContestResult::Senate(m) => {
            let _ = writeln!(
                s,
                "Round {}. Electors (the maslikhat deputies of the region): {}; took part: {} = {} of the electors.",
                m.round,
                num(m.electors),
                num(m.took_part),
                m.took_part.map_or("-".into(), |t| pct(t, m.electors))
            );
            let _ = writeln!(
                s,
                "1. Quorum (more than half of the electors took part)? {}",
                yes_no(m.quorum)
            );
            let _ = writeln!(s, "2. Votes, as shares of the electors who took part:");
            for r in &m.candidates {
                let _ = writeln!(
                    s,
                    "   {:<36} {:>12} {:>8}",
                    truncate(&name(r.option), 36),
                    group(r.votes),
                    pct(r.votes, m.took_part)
                );
            }
            match (m.winner, m.runoff) {
                (Some(w), _) if m.round == 2 => {
                    let _ = writeln!(s, "Result: {} wins the run-off with more votes.", name(w));
                }
                (Some(w), _) => {
                    let _ = writeln!(
                        s,
                        "Result: {} is elected with more than 50% of the votes of the electors who took part.",
                        name(w)
                    );
                }
                (None, Some([a, b])) => {
                    let _ = writeln!(
                        s,
                        "Result: no candidate has more than 50%; run-off between {} and {}.",
                        name(a),
                        name(b)
                    );
                }
                _ => {
                    let _ = writeln!(s, "Result: UNDETERMINED");
                }
            }
        }
        ContestResult::PartyList(p) => {
            let (n, d) = p.threshold_percent;
            let threshold = if d == 1 { n.to_string() } else { format!("{}", n as f64 / d as f64) };
            let base_text = match p.against_all {
                Some(a) => format!("all list votes + against all {}", group(a)),
                None => "all list votes; the ballot has no \"against all\" line".to_owned(),
            };
            let _ = writeln!(
                s,
                "Seats: {}. Threshold: {}% of {} ({}){}.",
                p.seats_total,
                threshold,
                num(p.threshold_base),
                base_text,
                if p.threshold_from_package { ", set by the package" } else { "" }
            );
            if let Some(q) = &p.quota {
                let exact = if q.denom == 1u32.into() {
                    format!("{} exactly", q.numer)
                } else {
                    format!("{q} ≈ {}", q.to_decimal_string(2))
                };
                let _ = writeln!(
                    s,
                    "Hare quota = votes of passing lists {} / {} seats = {exact}",
                    num(p.passing_votes),
                    p.seats_total,
                );
            }
            let _ = writeln!(
                s,
                "   {:>3} {:<34} {:>11} {:>7} {:>6} {:>6} {:>10} {:>6}",
                "reg", "list", "votes", "share", "passed", "floor", "remainder", "seats"
            );
            for r in &p.rows {
                let reg =
                    contest.options()[r.option].registered.map_or("-".into(), |v| v.to_string());
                let _ = writeln!(
                    s,
                    "   {:>3} {:<34} {:>11} {:>7} {:>6} {:>6} {:>10} {:>6}",
                    reg,
                    truncate(&name(r.option), 34),
                    group(r.votes),
                    pct(r.votes, p.threshold_base),
                    if r.passed { "yes" } else { "no" },
                    r.floor.map_or("-".into(), |f| f.to_string()),
                    r.remainder.as_ref().map_or("-".into(), |f| {
                        format!(
                            "{}{}",
                            f.to_decimal_string(4),
                            if r.remainder_seat { "*" } else { "" }
                        )
                    }),
                    if p.undetermined.is_some() { "-".into() } else { r.seats.to_string() }
                );
            }
            if p.rows.iter().any(|r| r.remainder_seat) {
                let _ = writeln!(
                    s,
                    "   * = remainder seat (largest remainders after the integer parts)"
                );
            }
            for (tied, seats) in &p.ties {
                let names: Vec<String> = tied.iter().map(|&i| name(i)).collect();
                let _ = writeln!(
                    s,
                    "Tie: equal remainders for {} with {} seat(s) at stake: the earlier-registered list wins.",
                    names.join(", "),
                    seats
                );
            }
            if p.undetermined.is_none() {
                let _ = writeln!(s, "Result: seats allocated to {} lists.", p.passed().len());
            } else {
                let _ = writeln!(s, "Result: UNDETERMINED");
            }
        }
    }
    if let Some(u) = &co.undetermined {
        let _ = writeln!(s, "Why: {u}");
    }
    if !co.rules.is_empty() {
        let _ = writeln!(s, "Rules applied:");
        for r in &co.rules {
            let _ = writeln!(s, "  - [{}] {} (source: {})", r.confidence.mark(), r.text, r.source);
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
