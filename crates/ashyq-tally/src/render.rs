//! Printing tallies. Every line that at least one contributing protocol has is printed, in
//! protocol column order (the fixed lines of the law reference §8.1, then the options in package
//! order); a line some contributing protocol lacks is unknown and printed as an empty CSV
//! value, JSON `null` or `unknown`.

use std::fmt::Write;

use serde_json::{json, Map, Value};

use crate::{Scope, Tally, UnitTotals};

/// Columns to print: those at least one contributing protocol has.
fn columns(t: &UnitTotals) -> impl Iterator<Item = usize> + '_ {
    t.totals.units_with_line.iter().enumerate().filter(|(_, &n)| n > 0).map(|(c, _)| c)
}

/// Long CSV: `contest,unit,line,value`.
pub fn csv(tally: &Tally) -> String {
    let mut s = String::from("contest,unit,line,value\n");
    for c in &tally.contests {
        for t in &c.units {
            for col in columns(t) {
                let (contest, unit, line) = (&c.id, &t.id, &c.lines[col]);
                let _ = match t.totals.values[col] {
                    Some(v) => writeln!(s, "{contest},{unit},{line},{v}"),
                    None => writeln!(s, "{contest},{unit},{line},"),
                };
            }
        }
    }
    s
}

/// One JSON object: `{"election","scope","contests":[{"id","name","units":[{"unit","kind",
/// "name","protocols","lines":{line: value|null}}]}]}`.
pub fn json(tally: &Tally, scope: &Scope) -> Value {
    let scope = match scope {
        Scope::Territory => json!({"territory": true}),
        Scope::Kind(k) => json!({"kind": k}),
    };
    let list: Vec<Value> = tally
        .contests
        .iter()
        .map(|c| {
            let units: Vec<Value> = c
                .units
                .iter()
                .map(|t| {
                    let mut lines = Map::new();
                    for col in columns(t) {
                        lines.insert(
                            c.lines[col].clone(),
                            t.totals.values[col].map_or(Value::Null, Value::from),
                        );
                    }
                    json!({
                        "unit": t.id,
                        "kind": t.kind,
                        "name": t.name,
                        "protocols": t.totals.protocols,
                        "lines": lines,
                    })
                })
                .collect();
            json!({"id": c.id, "name": c.name, "units": units})
        })
        .collect();
    json!({"election": tally.election, "scope": scope, "contests": list})
}

fn grouped(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    // Digits before the next comma: the first group may be shorter.
    let mut until = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    for ch in digits.chars() {
        if until == 0 {
            out.push(',');
            until = 3;
        }
        out.push(ch);
        until -= 1;
    }
    out
}

/// Readable text: one block per contest and unit.
pub fn text(tally: &Tally) -> String {
    let mut s = String::new();
    for c in &tally.contests {
        let _ = writeln!(s, "== {} [{}] ==", c.name, c.id);
        if c.units.is_empty() {
            let _ = writeln!(s, "  (no protocols)");
        }
        for t in &c.units {
            let _ = writeln!(
                s,
                "{} {} ({}): {} protocol(s)",
                t.id,
                t.name,
                t.kind,
                grouped(u64::from(t.totals.protocols))
            );
            let width = columns(t).map(|col| c.lines[col].len()).max().unwrap_or(0);
            for col in columns(t) {
                let value = t.totals.values[col].map_or_else(
                    || {
                        format!(
                            "unknown ({} of {} protocols have it)",
                            t.totals.units_with_line[col], t.totals.protocols
                        )
                    },
                    grouped,
                );
                let _ = writeln!(s, "  {:<width$}  {value:>14}", c.lines[col]);
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        for (v, s) in [(0, "0"), (999, "999"), (1000, "1,000"), (12035578, "12,035,578")] {
            assert_eq!(super::grouped(v), s);
        }
    }
}
