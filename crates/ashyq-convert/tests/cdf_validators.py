"""The standard's own validators, driven by crates/ashyq-convert/tests/cdf_standard.rs.

    python3 cdf_validators.py json SCHEMA.json FILE...   NIST JSON schema (draft-04, with formats)
    python3 cdf_validators.py xsd SCHEMA.xsd FILE...     an XML schema (lxml / libxml2)
    python3 cdf_validators.py ocd OCD.csv FILE...        civics_cdf_validator's OCD-ID rules, run
                                                         on every GpUnit directly (see below)
    python3 cdf_validators.py check                      are they all installed?

Prints one line per problem (`FILE: message`) and `checked N file(s)`; exits 1 when any problem
was found, 3 when a validator is not installed (the Rust test then skips, or fails under CI).

Why `ocd`: civics_cdf_validator dispatches element rules by `xsi:type`, so its GpUnitOcdId
rule (registered for `GpUnit`) never sees a `<GpUnit xsi:type="ReportingUnit">`: the full
validator run is silent about OCD-IDs whatever the file says. This mode applies the same rule
objects to each GpUnit element, so the OCD-IDs are really checked against the given list.
"""

import json
import sys


def main(argv):
    mode, schema, files = argv[1], (argv[2:3] or [""])[0], argv[3:]
    problems = []
    try:
        if mode == "check":
            import shutil

            import civics_cdf_validator  # noqa: F401
            import jsonschema  # noqa: F401
            import lxml  # noqa: F401

            if shutil.which("civics_cdf_validator") is None:
                print("not installed: the civics_cdf_validator command is not on PATH")
                return 3
            print("jsonschema, lxml and civics_cdf_validator are installed")
            return 0
        if mode == "json":
            import jsonschema

            with open(schema, encoding="utf-8") as f:
                s = json.load(f)
            v = jsonschema.Draft4Validator(
                s, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
            )
            for name in files:
                with open(name, encoding="utf-8") as f:
                    doc = json.load(f)
                for e in v.iter_errors(doc):
                    path = "/".join(str(p) for p in e.absolute_path)
                    problems.append(f"{name}: at /{path}: {e.message[:300]}")
        elif mode == "xsd":
            from lxml import etree

            s = etree.XMLSchema(etree.parse(schema))
            for name in files:
                if not s.validate(etree.parse(name)):
                    for e in s.error_log:
                        problems.append(f"{name}:{e.line}: {e.message}")
        elif mode == "ocd":
            from lxml import etree
            from civics_cdf_validator import gpunit_rules, loggers, rules

            ocd = gpunit_rules.GpUnitOcdIdValidator("kz", schema)
            for name in files:
                tree = etree.parse(name)
                checks = [rules.GpUnitOcdId(tree, None, ocd_id_validator=ocd)]
                lower = rules.ValidateOcdidLowerCase(tree, None)
                dup = rules.DuplicatedGpUnitOcdId(tree, None)
                n = 0
                for unit in tree.iter("GpUnit"):
                    n += 1
                    for rule in checks:
                        try:
                            rule.check(unit)
                        except loggers.ElectionException as e:
                            for entry in e.log_entry:
                                problems.append(f"{name}: {entry.message}")
                    ext = unit.find("ExternalIdentifiers")
                    if ext is not None:
                        try:
                            lower.check(ext)
                        except loggers.ElectionException as e:
                            problems += [f"{name}: {x.message}" for x in e.log_entry]
                for coll in tree.iter("GpUnitCollection"):
                    try:
                        dup.check(coll)
                    except loggers.ElectionException as e:
                        problems += [f"{name}: {x.message}" for x in e.log_entry]
                if n == 0:
                    problems.append(f"{name}: no GpUnit at all")
        else:
            print(f"unknown mode {mode}")
            return 2
    except ImportError as e:
        print(f"not installed: {e}")
        return 3
    for p in problems:
        print(p)
    print(f"checked {len(files)} file(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
