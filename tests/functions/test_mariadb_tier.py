"""The guard's output on a real MySQL-compatible server: a private MariaDB with the PetClinic schema
and sample data (tests/functions/fixtures/), the statements run as the assistant's read-only user.

Every benign question's SQL (the prompt's worked examples and the guard tests' legitimate statements)
goes through `guard`, runs, and gives the rows written down here from the sample data, by hand. The
read-only user can SELECT the seven tables and nothing else.

MariaDB differs from Aurora MySQL 3 in one way that matters here: it does not honour the
`MAX_EXECUTION_TIME` optimizer hint (10.11 reads `/*+ ... */` as a comment). `for_mariadb` replaces
the hint with MariaDB's `SET STATEMENT max_statement_time=<same cap in seconds> FOR`, and nothing
else; a test shows that cap stopping a statement. The clock is pinned (`NOW()` = 2026-01-01 UTC) so
that date questions have fixed answers. Skips with the reason where mariadbd is not installed.
"""
from __future__ import annotations

import random

import pytest

import prompts
from sql_guard import ALLOWED_TABLES, SqlRefused, guard
from tests.functions.conftest import GENAI_TEST_PASSWORD
from tests.functions.mariadb_server import QueryError, for_mariadb
from tests.functions.test_sql_guard import LEGITIMATE
from tests.functions.test_sql_guard_property import KNOWN_GOOD, WORDS
from tools.genai_db_user import TABLES, USERNAME

CLOCK = "2026-01-01 00:00:00"
CATS = {("George", "Franklin"), ("Jean", "Coleman"), ("Carlos", "Estaban"), ("Minji", "Kim")}
SURGEONS = {("Linda", "Douglas"), ("Rafael", "Ortega")}

# question -> (rows in order, or a set when the statement does not order them)
EXAMPLE_ROWS = {
    "Who owns the pet called Leo?": [("George", "Franklin")],
    "Does Maria have a pet named Coco?": [("0",)],
    "What are George Franklin's pets called?": [("Leo",)],
    "Where does George live?": [("George", "Franklin", "110 W. Liberty St.", "Madison")],
    "When was Max last seen, and why?": [("2013-01-03", "neutered")],
    "Show Samantha's visit history.": [("2013-01-04", "spayed"), ("2013-01-01", "rabies shot")],
    "Which owners have no pets?": {("Hana", "Lee")},
    "Who keeps cats?": CATS,
    "Which vets do surgery?": SURGEONS,
    "Which pets came in during October?": [("Leo", "2024-10-15"), ("춘식", "2025-10-02")],
}

LEGITIMATE_ROWS = {
    "owner of a pet": {("George", "Franklin")},
    "korean pet name": {("Minji", "Kim")},
    "exists check": {("0",)},
    "pets of a full name": {("Leo",)},
    "address": {("110 W. Liberty St.", "Madison", "6085551023")},
    "latest visit": [("2024-10-15", "annual checkup")],
    "owners without pets": {("Hana", "Lee")},
    "cat owners": CATS,
    "surgeons": SURGEONS,
    "october visits": [("Leo", "2024-10-15"), ("춘식", "2025-10-02")],
    "pets per owner": {("Davis", "2"), ("Rodriquez", "2"), ("Coleman", "2"), ("Estaban", "2")},
    "ages": {("Leo", "15"), ("Rosy", "14"), ("Jewel", "15"), ("Samantha", "13"), ("Max", "13"), ("Mulligan", "18"),
             ("Lucky", "15"), ("Sly", "13"), ("춘식", "6")},
    "recent visits": {("vaccination",)},
    "subquery": {("Jean",), ("Maria",)},
    "derived table": {("cat",), ("dog",), ("lizard",), ("snake",), ("bird",), ("hamster",)},
    "schema-qualified": 12,  # SELECT *: every owner
    "trailing semicolon": 14,  # every pet
    "between and case": {("Leo", "young"), ("Basil", "young"), ("Rosy", "young"), ("Jewel", "young"),
                         ("Iggy", "young")},
    "string with punctuation": set(),
    "large limit": 6,  # every visit; the cap (50) is above the count
    "limit with offset": set(),  # 6 visits, offset 10
}

BENIGN = {**{f"example: {q}": (sql, EXAMPLE_ROWS[q]) for q, sql in prompts.EXAMPLES},
          **{f"legitimate: {k}": (sql, LEGITIMATE_ROWS[k]) for k, sql in LEGITIMATE.items()}}


def run_as_assistant(mariadb, guarded_sql: str):
    return mariadb.run(for_mariadb(guarded_sql), user=USERNAME, password=GENAI_TEST_PASSWORD, database="petclinic",
                       clock=CLOCK)


def test_every_benign_statement_has_its_expected_rows_written_down():
    assert {q for q, _ in prompts.EXAMPLES} == set(EXAMPLE_ROWS)
    assert set(LEGITIMATE) == set(LEGITIMATE_ROWS)


@pytest.mark.parametrize(("sql", "expected"), list(BENIGN.values()), ids=list(BENIGN))
def test_the_guarded_statement_gives_the_expected_rows(mariadb, sql, expected):
    rows = [tuple(row.values()) for row in run_as_assistant(mariadb, guard(sql))]
    if isinstance(expected, int):
        assert len(rows) == expected
    elif isinstance(expected, set):
        assert set(rows) == expected and len(rows) == len(expected)
    else:
        assert rows == expected


def test_the_translated_time_cap_stops_a_statement(mariadb):
    capped = for_mariadb("SELECT /*+ MAX_EXECUTION_TIME(300) */ SLEEP(5) FROM `pets` LIMIT 1")
    assert capped.startswith("SET STATEMENT max_statement_time=0.3 FOR SELECT SLEEP(5)")
    with pytest.raises(QueryError, match="max_statement_time exceeded"):
        mariadb.run(capped, user=USERNAME, password=GENAI_TEST_PASSWORD, database="petclinic")


def test_the_read_only_user_can_select_exactly_the_seven_tables(mariadb):
    assert set(TABLES) == set(ALLOWED_TABLES), "the user's grants and the guard's tables are one list"
    grants = [next(iter(row.values())) for row in mariadb.run("SHOW GRANTS", user=USERNAME,
                                                                 password=GENAI_TEST_PASSWORD)]
    table_grants = sorted(g for g in grants if " ON `petclinic`." in g)
    assert table_grants == sorted(f"GRANT SELECT ON `petclinic`.`{t}` TO `{USERNAME}`@`%`" for t in TABLES)
    assert [g for g in grants if g not in table_grants] == [
        g for g in grants if g.startswith(f"GRANT USAGE ON *.* TO `{USERNAME}`@`%`")], "nothing else granted"


@pytest.mark.parametrize("sql", [
    "INSERT INTO owners (first_name, last_name, address, city, telephone) VALUES ('a', 'b', 'c', 'd', 'e')",
    "UPDATE owners SET city = 'x'",
    "DELETE FROM visits",
    "DROP TABLE visits",
    "CREATE TABLE copy (id INT)",
    "SELECT * FROM staff_notes",
    "SELECT user FROM mysql.user",
    "GRANT SELECT ON petclinic.staff_notes TO 'petclinic_genai'@'%'",
])
def test_the_read_only_user_can_do_nothing_else(mariadb, sql):
    with pytest.raises(QueryError, match="denied"):
        mariadb.run(sql, user=USERNAME, password=GENAI_TEST_PASSWORD, database="petclinic")


def test_a_null_comes_back_as_none(mariadb):
    rows = run_as_assistant(mariadb, guard("SELECT o.first_name, p.name FROM owners o LEFT JOIN pets p "
                                           "ON p.owner_id = o.id WHERE o.last_name = 'Lee'"))
    assert rows == [{"first_name": "Hana", "name": None}]


PARSE_ERROR, ACCESS_DENIED = "1064", "1142"


def accepted_mutants(count: int, seed: int = 23) -> list[str]:
    """Guarded statements made from the known-good ones by swapping and inserting hostile words
    (the property test's vocabulary), the same ones every run."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        words = rng.choice(KNOWN_GOOD).split(" ")
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.5:
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            else:
                words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS))
        try:
            found.append(guard(" ".join(words)))
        except SqlRefused:
            pass
    return found


def test_mariadbs_parser_reads_every_accepted_statement(mariadb):
    """MariaDB's own lexer and parser read each accepted statement: no syntax error (an unknown
    column is fine: the words are random) and no read outside the grants. A statement that sqlglot
    and MySQL read differently usually shows up here as a syntax error."""
    statements = [for_mariadb(sql) for sql in accepted_mutants(400)] + \
                 [for_mariadb(guard(sql)) for sql in KNOWN_GOOD]
    errors = mariadb.errors_of_script(statements, USERNAME, GENAI_TEST_PASSWORD, "petclinic")
    bad = [(statements[i], code) for i, code in errors if code in (PARSE_ERROR, ACCESS_DENIED)]
    assert not bad, "\n".join(f"{code}: {sql}" for sql, code in bad[:10])


def test_the_tier_says_why_it_skips_where_mariadb_is_not_installed(monkeypatch):
    from tests.functions import mariadb_server
    monkeypatch.setattr(mariadb_server.shutil, "which", lambda name: None)
    monkeypatch.setattr(mariadb_server.Path, "exists", lambda self: False)
    assert mariadb_server.missing_reason() == "mariadbd is not installed (apt-get install mariadb-server)"
