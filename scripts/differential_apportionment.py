#!/usr/bin/env python3
"""Differential oracle for crates/ashyq-apportionment.

Generates random apportionment cases from a seed and computes the expected
result with the independent PyPI package `apportionment` (version 1.0,
`pip install apportionment==1.0`), printing one JSON object per line:

    {"case": 17, "method": "dhondt", "votes": [...], "seats": 42,
     "threshold_percent": [7, 2] | null, "expected": [...] | "tie" | "no_seats" | "unfillable"}

and a final line {"summary": {...}}. The Rust test
crates/ashyq-apportionment/tests/differential.rs runs this script and compares
every line with `allocate(..., TiePolicy::Error)`; the threshold base is the sum
of the case's votes (the package's own threshold semantics).

How the package is used (read from its source, apportionment/methods.py):
  * `compute(method, votes, seats, fractions=True, threshold=t, tiesallowed=False)`;
    `TiesException` means a tie (expected "tie").
  * Method names: hare -> "largest_remainder" (NOT "quota", which is Balinski
    and Young's quota method), dhondt -> "dhondt", sainte-lague -> "saintelague",
    modified-sainte-lague -> "modified_saintelague", huntington-hill ->
    "huntington", adams -> "adams", dean -> "dean".
  * Threshold: `apply_threshold` zeroes every vote `< sum(votes) * threshold`,
    i.e. an option passes iff votes >= base * percent / 100 with base = sum of
    all votes. We pass the threshold as an exact `Fraction`.
  * `fractions=True` makes largest remainder, D'Hondt, Sainte-Laguë, Adams and
    Dean exact; Huntington-Hill and modified Sainte-Laguë always use floats in
    the package, so for those two methods only large random vote counts are
    generated (exact or float-indistinguishable ties are then practically
    impossible).
  * Huntington-Hill, Adams, Dean with seats < len(votes): the package gives one
    seat each to the largest parties (counting zero-vote parties among the
    candidates), whereas Ashyq treats all the infinite priorities as tied, by
    design. Those cases are skipped and counted in the summary.
  * If no option has votes after the threshold, the package divides by zero;
    we emit "no_seats" and expect Ashyq's NoOptionPassed or NoVotes.

Droop largest remainder is not in the package, so `droop_reference` below is a
small independent implementation written from the textbook definition with
`fractions.Fraction` (quota floor(V/(S+1))+1, integer parts, then one seat each
to the largest remainders among options with votes; a group of equal remainders
that cannot all be seated is a tie; more seats left than options with votes is
"unfillable").
"""

import argparse
import json
import math
import random
import sys
from fractions import Fraction

try:
    from apportionment import methods as app
except ImportError:  # pragma: no cover - reported to the Rust test
    print("python package 'apportionment' is not installed: pip install apportionment==1.0",
          file=sys.stderr)
    sys.exit(3)

PACKAGE_NAME = {
    "hare": "largest_remainder",
    "dhondt": "dhondt",
    "sainte-lague": "saintelague",
    "modified-sainte-lague": "modified_saintelague",
    "huntington-hill": "huntington",
    "adams": "adams",
    "dean": "dean",
}
METHODS = ["hare", "droop", "dhondt", "sainte-lague", "modified-sainte-lague",
           "huntington-hill", "adams", "dean"]
FLOAT_METHODS = {"modified-sainte-lague", "huntington-hill"}
ZERO_DIVISOR_METHODS = {"huntington-hill", "adams", "dean"}
THRESHOLDS = [Fraction(3), Fraction(5), Fraction(7), Fraction(7, 2), Fraction(1, 2)]


def droop_reference(votes, seats):
    total = sum(votes)
    quota = total // (seats + 1) + 1
    shares = [Fraction(v, quota) for v in votes]
    floors = [math.floor(s) for s in shares]
    left = seats - sum(floors)
    assert left >= 0, "Droop never over-allocates"
    with_votes = [i for i, v in enumerate(votes) if v > 0]
    if left > len(with_votes):
        return "unfillable"
    result = list(floors)
    if left == 0:
        return result
    remainder = {i: shares[i] - floors[i] for i in with_votes}
    ranked = sorted(with_votes, key=lambda i: remainder[i], reverse=True)
    cutoff = remainder[ranked[left - 1]]
    above = [i for i in with_votes if remainder[i] > cutoff]
    at_cutoff = [i for i in with_votes if remainder[i] == cutoff]
    if len(at_cutoff) > left - len(above):
        return "tie"
    for i in above + at_cutoff:
        result[i] += 1
    return result


def random_votes(rng, method):
    n = rng.randint(1, 8)
    regime = "large" if method in FLOAT_METHODS else rng.choice(["small", "large", "huge"])
    if regime == "small":
        votes = [rng.randint(0, 30) for _ in range(n)]
    elif regime == "large":
        votes = [rng.randint(1, 10_000_000) for _ in range(n)]
    else:
        votes = [rng.randint(0, 10**15) for _ in range(n)]
    if regime != "small" and method not in FLOAT_METHODS and rng.random() < 0.1:
        votes[rng.randrange(n)] = 0
    return votes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    skipped = {}
    emitted = 0
    kinds = {}
    for case in range(args.cases):
        method = METHODS[case % len(METHODS)]
        votes = random_votes(rng, method)
        seats = rng.randint(1, 200)
        threshold = rng.choice(THRESHOLDS) if rng.random() < 0.3 else None
        filtered = app.apply_threshold(votes, None if threshold is None else threshold / 100)
        if sum(filtered) == 0:
            expected = "no_seats"
        elif method in ZERO_DIVISOR_METHODS and seats < len(votes):
            skipped["zero_divisor_fewer_seats_than_options"] = (
                skipped.get("zero_divisor_fewer_seats_than_options", 0) + 1)
            continue
        elif method == "droop":
            expected = droop_reference([int(v) for v in filtered], seats)
        else:
            try:
                expected = app.compute(PACKAGE_NAME[method], votes, seats, fractions=True,
                                       threshold=None if threshold is None else threshold / 100,
                                       tiesallowed=False)
                expected = [int(x) for x in expected]
            except app.TiesException:
                expected = "tie"
        kind = expected if isinstance(expected, str) else "seats"
        kinds[kind] = kinds.get(kind, 0) + 1
        emitted += 1
        print(json.dumps({
            "case": case,
            "method": method,
            "votes": votes,
            "seats": seats,
            "threshold_percent": None if threshold is None
            else [threshold.numerator, threshold.denominator],
            "expected": expected,
        }))
    print(json.dumps({"summary": {"emitted": emitted, "skipped": skipped, "expected": kinds}}))


if __name__ == "__main__":
    main()
