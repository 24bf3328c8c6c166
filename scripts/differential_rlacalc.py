#!/usr/bin/env python3
"""Oracle for crates/ashyq-audit/tests/differential_rlacalc.rs: evaluates cases with the
independent PyPI package `rlacalc` (N. McBurnett, 0.4.0).

stdin: one JSON object per line, {"f": NAME, "args": {...}}; stdout: the same objects with
"out" (a number, or null for NaN / an error). NAME is nmin, km_p_value, asn or bravo_risk.
"""
import json
import math
import sys

import rlacalc


def evaluate(case):
    a = case["args"]
    f = case["f"]
    try:
        if f == "nmin":
            out = rlacalc.nmin(a["alpha"], a["gamma"], a["margin"], a["o1"], a["o2"], a["u1"], a["u2"])
        elif f == "km_p_value":
            out = rlacalc.KM_P_value(a["n"], a["gamma"], a["margin"], a["o1"], a["o2"], a["u1"], a["u2"])
        elif f == "asn":
            out = rlacalc.findAsn(a["alpha"], a["margin"], a["risk_level"])
        elif f == "bravo_risk":
            out = rlacalc.ballot_polling_risk_level(a["W"], a["L"], a["w"], a["l"])
        else:
            raise ValueError("unknown function " + f)
    except (ValueError, OverflowError, ZeroDivisionError):
        out = None
    if isinstance(out, float) and (math.isnan(out) or math.isinf(out)):
        out = None
    return out


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        case["out"] = evaluate(case)
        sys.stdout.write(json.dumps(case) + "\n")


if __name__ == "__main__":
    main()
