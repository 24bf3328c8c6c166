#!/usr/bin/env python3
"""Differential oracle for ashyq_core::iin: the independent PyPI package kz-iin-validator
(version 0.7.1, MIT, https://github.com/ZhymabekRoman/kz-iin-validator;
`pip install kz-iin-validator==0.7.1`).

Reads candidate IINs, one per line, on stdin and prints one line per input:

    ok,YYYY-MM-DD,M|F          the package accepts it (date of birth, sex)
    err,<ExceptionClass>       the package rejects it

The Rust test crates/ashyq-register/tests/iin_differential.rs writes the inputs (random
numbers of several kinds, from a fixed seed) and compares every line.
"""
import sys

from kz_iin_validator import validate_iin
from kz_iin_validator.iin_validator import IINGender


def main() -> None:
    out = []
    for line in sys.stdin.read().split("\n"):
        if line == "":
            continue
        try:
            v = validate_iin(line)
        except Exception as e:  # noqa: BLE001 - the class name is the answer
            out.append(f"err,{type(e).__name__}")
            continue
        b = v.born_date
        sex = "M" if v.gender == IINGender.male else "F"
        out.append(f"ok,{b.year:04d}-{b.month:02d}-{b.day:02d},{sex}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
