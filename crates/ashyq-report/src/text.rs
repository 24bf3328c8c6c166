//! The outcome as plain text: every figure and rule a reader needs to re-check it by hand.

use std::fmt::Write;

use ashyq_core::election::{Election, OptionKind};
use ashyq_core::rules::{
    legend, percent, ContestOutcome, ContestResult, ElectionOutcome, FailedCheck, UnitsBasis,
};
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

/// One failed check as a line: `contest "c", unit "u": message [error R2]`.
pub fn failed_check_line(election: &Election, tree: &UnitTree, f: &FailedCheck) -> String {
    format!(
        "contest \"{}\", unit \"{}\": {} [{} {}]",
        election.contests()[f.contest].id(),
        tree.unit(f.unit).id,
        f.finding.message,
        f.finding.severity.name(),
        f.finding.code
    )
}

/// The whole election's outcome as text.
pub fn outcome_text(election: &Election, tree: &UnitTree, outcome: &ElectionOutcome) -> String {
    let mut s = String::new();
    let rs = outcome.rules.rule_set();
    let _ = writeln!(s, "{} ({}), {}", election.name(), election.id(), election.date());
    if let Some(w) = &outcome.what_if {
        let _ = writeln!(
            s,
            "HYPOTHETICAL (what if): the votes of this package under rule set {} instead of its own {}. Not the legal outcome.",
            outcome.rules, w.package_rules
        );
        for c in &w.changed {
            let _ = writeln!(s, "  changed: {c}");
        }
        for k in &w.kept {
            let _ = writeln!(s, "  kept: {k}");
        }
    }
    let _ = writeln!(s, "Rule set: {} — {} ({})", outcome.rules, rs.title, rs.in_force_dates());
    if !outcome.failed_checks.is_empty() {
        let _ = writeln!(
            s,
            "CHECKS IGNORED: {} protocol check(s) fail with severity error; the law's own arithmetic rejects these counts, and this outcome was computed anyway (--ignore-checks). It is not a legal outcome:",
            outcome.failed_checks.len()
        );
        for f in outcome.failed_checks.iter().take(20) {
            let _ = writeln!(s, "  {}", failed_check_line(election, tree, f));
        }
        if outcome.failed_checks.len() > 20 {
            let _ = writeln!(s, "  … and {} more", outcome.failed_checks.len() - 20);
        }
    }
    for w in &outcome.warnings {
        let _ = writeln!(s, "Warning: {w}");
    }
    let result_word = if outcome.what_if.is_some() || !outcome.failed_checks.is_empty() {
        "Result (hypothetical)"
    } else {
        "Result"
    };
    let mut any_rules = false;
    for co in &outcome.contests {
        s.push('\n');
        contest_text(&mut s, election, tree, co, result_word);
        any_rules |= !co.rules.is_empty();
    }
    if any_rules {
        s.push('\n');
        s.push_str(&legend());
        s.push('\n');
    }
    s
}

fn contest_text(
    s: &mut String,
    election: &Election,
    tree: &UnitTree,
    co: &ContestOutcome,
    result_word: &str,
) {
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
    let body = contest.body().map_or(String::new(), |b| format!(", {}", b.name()));
    let _ = writeln!(
        s,
        "== {} [{}, {}{body}] in {} ==",
        contest.name(),
        contest.id(),
        contest.kind(),
        tree.unit(contest.territory()).name
    );
    let has_against_all = contest.options().iter().any(|o| o.kind == OptionKind::AgainstAll);
    match &co.result {
        ContestResult::NoRules => {
            if co.undetermined.is_none() {
                let _ = writeln!(
                    s,
                    "No legal outcome: the package's rule set is \"none\" (counts only)."
                );
            } else {
                let _ = writeln!(s, "{result_word}: UNDETERMINED");
            }
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
            if r.base.other.is_some() && r.base.other != r.base.used {
                let _ = writeln!(
                    s,
                    "Those who took part are counted as ballots_issued = {}; the other count, {} = {}, would give turnout {} and yes {}{}.",
                    num(r.base.used),
                    r.base.other_name,
                    num(r.base.other),
                    r.base.other.map_or("-".into(), |t| pct(t, r.registered)),
                    r.yes.map_or("-".into(), |y| pct(y, r.base.other)),
                    if r.base.flips { " — AND A DIFFERENT RESULT (see the warning)" } else { " (the same result)" }
                );
            }
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
                    "3. Constitutional question: yes in at least ceil(2n/3) = {} of n = {} oblasts and cities of republican significance, by the {} test{}.",
                    r.units_required,
                    r.units_total,
                    r.unit_test.name(),
                    if r.unit_test_from_package {
                        " (chosen by the package)".to_owned()
                    } else {
                        format!(" (the rule set's default on this date, following {}; the sources disagree)", r.unit_test_basis)
                    }
                );
            } else {
                let _ = writeln!(
                    s,
                    "3. Not a constitutional question: the two-thirds-of-units test does not apply."
                );
            }
            let unit_data = r.units.iter().any(|u| u.registered.is_some() || u.yes.is_some());
            if unit_data && r.units_basis != UnitsBasis::Reported {
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
                UnitsBasis::NotApplicable if unit_data => {
                    let _ = writeln!(
                        s,
                        "   (For information: units with a yes-majority {}, with turnout over 50% {}.)",
                        r.units_yes_majority.map_or("undetermined".into(), |v| v.to_string()),
                        r.units_turnout_majority.map_or("undetermined".into(), |v| v.to_string())
                    );
                }
                UnitsBasis::NotApplicable | UnitsBasis::Unknown => {}
            }
            if r.constitutional {
                let _ = writeln!(s, "   Territorial test passed? {}", yes_no(r.territorial_pass));
            }
            let _ = writeln!(
                s,
                "{result_word}: {}",
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
            let base_text = if has_against_all {
                "candidate votes + against all"
            } else {
                "candidate votes (the ballot has no \"against all\" line)"
            };
            let _ = writeln!(
                s,
                "Round {}. Base of percentages = {base_text} = {}",
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
                    let _ =
                        writeln!(s, "{result_word}: {} wins the run-off with more votes.", name(w));
                }
                (Some(w), _) => {
                    let _ = writeln!(
                        s,
                        "{result_word}: {} is elected with more than 50% of the base.",
                        name(w)
                    );
                }
                (None, Some([a, b])) => {
                    let _ = writeln!(
                        s,
                        "{result_word}: no candidate has more than 50%; run-off between {} and {}.",
                        name(a),
                        name(b)
                    );
                }
                _ if p.repeat_election => {
                    let _ = writeln!(
                        s,
                        "{result_word}: the run-off is tied, so it gives no winner: the CEC calls a REPEAT ELECTION within two months (law reference §2, Failed election [M], [S19])."
                    );
                }
                _ => {
                    let _ = writeln!(s, "{result_word}: UNDETERMINED");
                }
            }
        }
        ContestResult::SingleMember(m) => {
            let base_text = if has_against_all {
                "candidates + against all"
            } else {
                "candidates; the ballot has no \"against all\" line"
            };
            let _ = writeln!(s, "Plurality. Valid votes ({base_text}) = {}", num(m.base));
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
            if let Some(b) = m.majority_base {
                let _ = writeln!(
                    s,
                    "All ballots (valid + invalid) = {}: an akim leader with more than half of them is elected under plurality and under any majority rule alike.",
                    group(b)
                );
            }
            if m.against_all_exceeds_winner {
                let _ = writeln!(s, "\"Against all\" got more votes than the winner: no legal effect was found in the law.");
            }
            match m.winner {
                Some(w) if m.majority_base.is_some() => {
                    let _ = writeln!(
                        s,
                        "{result_word}: {} is elected (most votes, and more than half of all ballots).",
                        name(w)
                    );
                }
                Some(w) => {
                    let _ = writeln!(s, "{result_word}: {} is elected (most votes).", name(w));
                }
                None => {
                    let _ = writeln!(s, "{result_word}: UNDETERMINED");
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
                    let _ =
                        writeln!(s, "{result_word}: {} wins the run-off with more votes.", name(w));
                }
                (Some(w), _) => {
                    let _ = writeln!(
                        s,
                        "{result_word}: {} is elected with more than 50% of the votes of the electors who took part.",
                        name(w)
                    );
                }
                (None, Some([a, b])) => {
                    let _ = writeln!(
                        s,
                        "{result_word}: no candidate has more than 50%; run-off between {} and {}.",
                        name(a),
                        name(b)
                    );
                }
                _ => {
                    let _ = writeln!(s, "{result_word}: UNDETERMINED");
                }
            }
        }
        ContestResult::PartyList(p) => party_list_text(s, contest, p, &name, result_word),
    }
    if let Some(u) = &co.undetermined {
        let _ = writeln!(s, "Why: {u}");
    }
    for w in &co.warnings {
        let _ = writeln!(s, "Warning: {w}");
    }
    if !co.rules.is_empty() {
        let _ = writeln!(s, "Rules applied:");
        for r in &co.rules {
            let _ = writeln!(s, "  - [{}] {} (source: {})", r.confidence.mark(), r.text, r.source);
        }
    }
}

fn party_list_text(
    s: &mut String,
    contest: &ashyq_core::election::Contest,
    p: &ashyq_core::rules::PartyListOutcome,
    name: &dyn Fn(usize) -> String,
    result_word: &str,
) {
    let (n, d) = p.threshold_percent;
    let threshold = ashyq_core::election::decimal(n, d);
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
    if p.one_list_took_all {
        let _ = writeln!(
            s,
            "Only one list passed the threshold: under this rule set it takes every seat."
        );
    } else if let Some(q) = &p.quota {
        let exact = if q.denom == 1u32.into() {
            format!("{} exactly", q.numer)
        } else {
            format!("{q} ≈ {}", q.to_decimal_string(2))
        };
        let what = if p.runner_up.is_some() {
            "votes of the passing list and the runner-up"
        } else {
            "votes of passing lists"
        };
        let _ = writeln!(
            s,
            "Hare quota = {what} {} / {} seats = {exact}",
            num(p.passing_votes),
            p.seats_total,
        );
    }
    if let Some(r) = &p.runner_up {
        let _ = writeln!(
            s,
            "Only one list passed the threshold: the 2009 rule admits the runner-up {}, its votes/quota × 0.7 = {} ({}), at least 2 seats.",
            name(r.option),
            r.corrected.to_decimal_string(4),
            r.corrected
        );
        for (reading, seats) in &r.readings {
            let _ = writeln!(s, "   if {reading}: {seats} seat(s)");
        }
    }
    let show_seats = p.undetermined.is_none() || p.seats_undetermined > 0;
    let _ = writeln!(
        s,
        "   {:>3} {:<34} {:>11} {:>7} {:>6} {:>6} {:>10} {:>6}",
        "reg", "list", "votes", "share", "passed", "floor", "remainder", "seats"
    );
    for r in &p.rows {
        let reg = contest.options()[r.option].registered.map_or("-".into(), |v| v.to_string());
        let seats = if !show_seats {
            "-".to_owned()
        } else if r.beyond_list > 0 {
            format!("{}+{}?", r.seats - r.beyond_list, r.beyond_list)
        } else {
            r.seats.to_string()
        };
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
                format!("{}{}", f.to_decimal_string(4), if r.remainder_seat { "*" } else { "" })
            }),
            seats
        );
    }
    if p.rows.iter().any(|r| r.remainder_seat) {
        let _ = writeln!(s, "   * = remainder seat (largest remainders after the integer parts)");
    }
    if p.seats_undetermined > 0 {
        let _ = writeln!(
            s,
            "   N+K? = N seats filled from the list, K seats beyond the list's length: undetermined by law"
        );
    }
    for (tied, seats, decided) in &p.ties {
        let names: Vec<String> = tied.iter().map(|&i| name(i)).collect();
        if *decided {
            let _ = writeln!(
                s,
                "Tie: equal remainders for {} with {} seat(s) at stake: the earlier-registered list wins [M].",
                names.join(", "),
                seats
            );
        } else {
            let _ = writeln!(
                s,
                "Tie: equal remainders for {} with {} seat(s) at stake: the law breaks it by registration order, which the package does not give, so it is undetermined.",
                names.join(", "),
                seats
            );
        }
    }
    if p.undetermined.is_none() {
        let lists = p.rows.iter().filter(|r| r.seats > 0).count();
        let _ = writeln!(s, "{result_word}: seats allocated to {lists} list(s).");
    } else if p.seats_undetermined > 0 {
        let _ = writeln!(
            s,
            "{result_word}: {} seat(s) allocated; {} seat(s) UNDETERMINED BY LAW.",
            p.seats_total - p.seats_undetermined,
            p.seats_undetermined
        );
    } else {
        let _ = writeln!(s, "{result_word}: UNDETERMINED");
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
