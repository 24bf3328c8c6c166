#!/usr/bin/env python3
"""Writes the request bodies of the registration-check fixtures (NAME.json) from the published
composition of the 2023 Mazhilis lists and the 2022 presidential nomination figures (sources in
README.md). The expected answers (NAME.expected.json) are written by the `ashyq` binary itself:
ASHYQ_BLESS=1 cargo test -p ashyq-cli --test register_api_fixtures."""
import json
import pathlib

HERE = pathlib.Path(__file__).parent
ELECTION_DAY = "2023-03-19"
# The 20 regions of Kazakhstan since 8 June 2022, as in examples/kz-2023-03-19-mazhilis/units.csv.
REGIONS = ["KZ-ABY", "KZ-AKM", "KZ-AKT", "KZ-ALM", "KZ-ATY", "KZ-ZAP", "KZ-ZHA", "KZ-ZHT",
           "KZ-KAR", "KZ-KUS", "KZ-KZY", "KZ-MAN", "KZ-PAV", "KZ-SEV", "KZ-YUZ", "KZ-ULT",
           "KZ-VOS", "KZ-AST", "KZ-ALA", "KZ-SHY"]


def candidates(party, n, in_group, first=1):
    """n list candidates; the first in_group of them in the combined quota group, spread over
    the three groups in turn (a woman, someone under 29 on election day, a person with a
    disability: only the combined number is published), the others men of 45."""
    out = []
    for i in range(n):
        g = i % 3 if i < in_group else None
        out.append({
            "name": f"{party} candidate {first + i}",
            "member": True,
            "woman": g == 0,
            "birth_date": "1997-06-01" if g == 1 else "1978-01-01",
            "disability": g == 2,
        })
    return out


def qhp_list():
    def person(name, woman, disability):
        return {"name": name, "member": True, "woman": woman, "birth_date": "1970-01-01",
                "disability": disability}
    deputies = [person("Magerramov", False, False), person("Smirnova", True, False),
                person("Tanasheva", True, False), person("Seitzhan", False, True),
                person("Sunkar", False, False)]
    # The other 47 of the 52 are not published: placeholders, the list's quota group at the
    # minimum the CEC said every list met (16 of 52 with the three deputies above).
    return deputies + candidates("QHP", 47, 13, first=6)


def party(members, initiative, formed, congress, registration, branch_members, registered,
          drop_last=False):
    branches = [{"region": r, "members": branch_members, "registered": registered}
                for r in REGIONS]
    if drop_last:
        branches.pop()
    return {"name": "Example party", "members": members, "initiative_group": initiative,
            "initiative_group_formed": formed, "founding_congress": congress,
            "state_registration": registration, "branches": branches}


def signatures(total, regions):
    per = [8_000] * regions
    per[0] = total - 8_000 * (regions - 1)
    return [{"region": r, "signatures": n} for r, n in zip(REGIONS, per)]


def dumps(body):
    """One key per line, one list item per line."""
    def value(v):
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return "[\n" + ",\n".join("  " + json.dumps(x, ensure_ascii=False) for x in v) + "\n ]"
        return json.dumps(v, ensure_ascii=False)
    return "{\n" + ",\n".join(f" {json.dumps(k)}: {value(v)}" for k, v in body.items()) + "\n}\n"


def main():
    amanat_bad = candidates("Amanat", 91, 26)
    amanat_bad[40]["member"] = False
    qhp = ["Magerramov", "Smirnova", "Tanasheva", "Seitzhan", "Sunkar"]
    cases = {
        # Amanat: 90 candidates, 29 in the three groups (Kazinform, 15 Feb 2023).
        "list-amanat-2023": {"list": candidates("Amanat", 90, 29), "seats": 69, "on": ELECTION_DAY},
        # One more candidate, one of them not a member, three fewer in the groups.
        "list-amanat-91": {"list": amanat_bad, "seats": 69, "on": ELECTION_DAY},
        # Ak Zhol: 54 candidates, 18 in the groups (Informburo).
        "list-akzhol-2023": {"list": candidates("Ak Zhol", 54, 18), "seats": 69, "on": ELECTION_DAY},
        # QHP's five deputies, chosen on the day of the CEC's final results (El.kz, 27 Mar 2023).
        "mandates-qhp-2023": {"list": qhp_list(), "chosen": qhp, "won": 5, "results": "2023-03-27",
                              "decided": "2023-03-27", "on": ELECTION_DAY},
        # Two men and three placeholders outside the groups, eleven days after the results.
        "mandates-qhp-late": {"list": qhp_list(),
                              "chosen": ["Magerramov", "Sunkar", "QHP candidate 21",
                                         "QHP candidate 22", "QHP candidate 23"],
                              "won": 5, "results": "2023-03-27", "decided": "2023-04-07",
                              "on": ELECTION_DAY},
        # A party exactly at the 2022 thresholds.
        "party-thresholds-2022": {"party": party(5_000, 700, "2022-07-01", "2022-10-01", "2022-12-01",
                                                 200, "2023-12-01"),
                                  "regions": REGIONS, "on": "2024-01-01", "rules": "kz-2022"},
        # One short everywhere, a day late, one region without a branch; and the old rules.
        "party-short-2022": {"party": party(4_999, 699, "2022-07-01", "2022-10-02", "2022-12-01",
                                            199, "2023-12-02", drop_last=True),
                             "regions": REGIONS, "on": "2024-01-01"},
        "party-thresholds-kz2007": {"party": party(5_000, 700, "2022-07-01", "2022-10-01",
                                                   "2022-12-01", 200, "2023-12-01"),
                                    "regions": REGIONS, "on": "2024-01-01", "rules": "kz-2007"},
        # Presidential candidates on election day 2022 (fictitious files: one meets every
        # requirement, one turns 40 the day after the election, one is not a citizen by birth,
        # one leaves most unanswered).
        "candidate-president-2022": {"office": "president", "on": "2022-11-20", "candidates": [
            {"name": "Candidate A", "birth_date": "1960-05-01", "citizen_by_birth": True,
             "kazakh": True, "resident_since": "1960-05-01", "higher_education": True,
             "service_years": 20},
            {"name": "Candidate B", "birth_date": "1982-11-21", "citizen_by_birth": True,
             "kazakh": True, "resident_since": "1990-01-01", "higher_education": True,
             "service_years": 6},
            {"name": "Candidate C", "birth_date": "1970-01-01", "citizen_by_birth": False,
             "citizen": True, "kazakh": True, "resident_since": "2010-01-01",
             "higher_education": False, "service_years": 4},
            {"name": "Candidate D", "birth_date": "1975-03-03", "kazakh": None}]},
        "candidate-maslikhat-2023": {"office": "maslikhat", "on": ELECTION_DAY, "candidates": [
            {"name": "Candidate E", "birth_date": "2003-03-20", "citizen": True,
             "region_resident_since": "2003-03-20"},
            {"name": "Candidate F", "birth_date": "2003-03-19", "citizen": True,
             "region_resident_since": "2023-03-20"}]},
        # 118,273 signatures for the 11,827,277 voters of 1 July 2022, from 14 of 20 regions.
        "nomination-2022": {"signatures": signatures(118_273, 14), "voters": 11_827_277,
                            "regions": REGIONS},
        # One signature and one region fewer.
        "nomination-2022-short": {"signatures": signatures(118_272 - 8_000, 13),
                                  "voters": 11_827_277, "regions": REGIONS},
    }
    for name, body in cases.items():
        (HERE / f"{name}.json").write_text(dumps(body))


main()
