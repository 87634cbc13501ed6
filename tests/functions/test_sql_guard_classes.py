"""The four classes of issue 23, one table each: statements the guard used to accept (or crash on)
that a careful DBA would not let a model run, each refused for its class's reason; and the edges
next to them that stay accepted, rendered so that MySQL reads exactly the checked tree."""
from __future__ import annotations

import pytest
import sqlglot

import sql_guard
from sql_guard import TIME_CAP_MS, SqlRefused, checked, guard


def self_joins(n: int, on: bool) -> str:
    tables = ["pets t0"] + [f"JOIN pets t{i} ON t{i}.id = t{i - 1}.id" if on else f"pets t{i}" for i in range(1, n)]
    return " ".join(tables) if on else ", ".join(tables)


def nested_in(n: int) -> str:
    sql = "SELECT id FROM pets"
    for _ in range(n):
        sql = f"SELECT id FROM pets WHERE id IN ({sql})"
    return sql


# 1. Cost: the LIMIT cap bounds the rows returned, not the work done.
COST = {
    "8 self cross joins with COUNT": (f"SELECT COUNT(*) FROM {self_joins(8, on=False)}", "cartesian"),
    "cross join with DISTINCT": ("SELECT DISTINCT a.name FROM pets a CROSS JOIN pets b CROSS JOIN pets c", "CROSS"),
    "GROUP_CONCAT over a comma join": ("SELECT GROUP_CONCAT(a.name) FROM pets a, owners b, visits c", "cartesian"),
    "join ON a tautology": ("SELECT COUNT(*) FROM visits a JOIN visits b ON 1 = 1 JOIN visits c ON c.id > 0",
                            "ON must compare"),
    "8 self joins with plausible ON": (f"SELECT COUNT(DISTINCT t7.id) FROM {self_joins(8, on=True)}", "tables"),
    "long join chain": ("SELECT o.id FROM owners o JOIN pets p ON p.owner_id = o.id JOIN visits v ON v.pet_id = p.id "
                        "JOIN types t ON t.id = p.type_id JOIN pets q ON q.owner_id = o.id", "tables"),
    "a dozen nested IN subqueries": (nested_in(12), "parentheses"),
    "two nested IN subqueries": (nested_in(2), "another subquery"),
    "three subqueries side by side": ("SELECT name FROM pets WHERE id IN (SELECT id FROM pets) AND id IN "
                                      "(SELECT pet_id FROM visits) AND owner_id IN (SELECT id FROM owners)",
                                      "subqueries"),
    "cartesian subquery in ORDER BY": ("SELECT name FROM pets ORDER BY (SELECT COUNT(*) FROM pets a JOIN pets b "
                                       "ON a.id >= 0)", "subquery may only stand"),
    "subquery in the select list": ("SELECT (SELECT COUNT(*) FROM visits) AS n FROM pets", "subquery may only stand"),
    "derived table with a huge LIMIT": ("SELECT t.name FROM (SELECT a.name FROM pets a JOIN pets b ON a.id >= b.id "
                                        "LIMIT 100000000) AS t", "LIMIT may be at most"),
    "huge OFFSET": ("SELECT name FROM pets LIMIT 5 OFFSET 100000000", "OFFSET may be at most"),
    "SQL_CALC_FOUND_ROWS": ("SELECT SQL_CALC_FOUND_ROWS name FROM pets", "modifier SQL_CALC_FOUND_ROWS"),
    "SQL_BUFFER_RESULT": ("SELECT SQL_BUFFER_RESULT name FROM pets", "modifier SQL_BUFFER_RESULT"),
    "SQL_BIG_RESULT": ("SELECT SQL_BIG_RESULT name FROM pets GROUP BY name", "modifier SQL_BIG_RESULT"),
    "SQL_SMALL_RESULT": ("SELECT SQL_SMALL_RESULT name FROM pets GROUP BY name", "modifier SQL_SMALL_RESULT"),
    "STRAIGHT_JOIN modifier": ("SELECT STRAIGHT_JOIN p.name FROM pets p JOIN owners o ON o.id = p.owner_id",
                               "modifier STRAIGHT_JOIN"),
    "STRAIGHT_JOIN join": ("SELECT p.name FROM pets p STRAIGHT_JOIN owners o ON o.id = p.owner_id", "STRAIGHT_JOIN"),
    "HIGH_PRIORITY": ("SELECT HIGH_PRIORITY name FROM pets", "modifier HIGH_PRIORITY"),
    "SQL_NO_CACHE": ("SELECT SQL_NO_CACHE name FROM pets", "modifier SQL_NO_CACHE"),
    "NATURAL JOIN": ("SELECT name FROM pets NATURAL JOIN visits", "NATURAL"),
    "index hint": ("SELECT name FROM pets FORCE INDEX (PRIMARY) WHERE id > 1", "not allowed"),
    "a 45-term AND chain": ("SELECT name FROM pets WHERE " + " AND ".join(["id > 0"] * 45), "levels deep"),
}

# 2. Text that MySQL reads differently: a word that starts with digits is one name to sqlglot, a number
# and a keyword to MySQL.
MISREAD = {
    "exponent run into REGEXP": ("SELECT 1e0regexp '(a+)+$' FROM owners", "plain word"),
    "exponent run into OR": ("SELECT * FROM owners WHERE 1e1or = 2", "plain word"),
    "exponent run into a name": ("SELECT 1e5abc FROM owners", "plain word"),
    "digit-led alias": ("SELECT first_name AS 1e0x FROM owners", "plain word"),
    "quoted digit-led name": ("SELECT `1e0or` FROM owners", "plain word"),
    "exponent literal": ("SELECT name FROM pets WHERE id < 1e3", "plain decimals"),
    "backslash escape": ("SELECT * FROM owners WHERE last_name LIKE '%\\_%'", "backslash"),
    "hexadecimal literal": ("SELECT * FROM owners WHERE id = 0x01", "not allowed"),
}

# 2b. Trees sqlglot builds from text that MySQL reads otherwise or not at all (found by running
# generated accepted statements on MariaDB): refused, so that what runs is what was checked.
SHAPES = {
    "no FROM before a join": ("SELECT name = pets AS p JOIN owners o ON o.id = p.owner_id", "FROM"),
    "IS a column": ("SELECT name FROM pets WHERE id IS owner_id", "IS may only"),
    "IN a column": ("SELECT name FROM pets WHERE id IN owner_id", "IN needs"),
    "empty IN": ("SELECT name FROM pets WHERE id IN ()", "IN needs"),
    "star as an operand": ("SELECT name FROM pets WHERE id = *", "COUNT(*)"),
    "star renamed": ("SELECT * AS everything FROM pets", "renamed"),
    "derived table without alias": ("SELECT n FROM (SELECT name AS n FROM types)", "alias"),
    "bare SELECT as a join": ("SELECT name FROM pets JOIN SELECT types t USING (id)", "parentheses"),
    "aggregate DISTINCT of nothing": ("SELECT GROUP_CONCAT(DISTINCT ORDER BY name) AS n FROM pets", "argument"),
    "COUNT of nothing": ("SELECT COUNT() AS n FROM pets", "argument"),
    "number after a dot": ("SELECT name FROM visits WHERE visit_date.5 > 1", "a column must be a name"),
    "empty select list": ("SELECT FROM pets", "select list"),
    "USING an expression": ("SELECT name FROM vets JOIN vet_specialties USING (NOW())", "USING"),
    "table alias renaming columns": ("SELECT a FROM (SELECT name FROM pets) AS t (a)", "rename columns"),
    "empty GROUP BY": ("SELECT name FROM pets GROUP BY LIMIT 5", "GROUP BY"),
    "ORDER BY as an argument": ("SELECT TIMESTAMPDIFF(YEAR, birth_date, ORDER BY NOW()) AS a FROM pets", "ORDER BY"),
    "DISTINCT as an argument": ("SELECT TIMESTAMPDIFF(YEAR, birth_date, DISTINCT NOW()) AS a FROM pets", "DISTINCT"),
    "star after a column": ("SELECT name, * FROM pets", "first"),
    "SEPARATOR an expression": ("SELECT GROUP_CONCAT(name SEPARATOR (', ')) AS n FROM pets", "SEPARATOR"),
    "LIMIT BY": ("SELECT name FROM pets LIMIT 10 BY type_id", "LIMIT takes"),
    "inner OFFSET without LIMIT": ("SELECT name FROM pets WHERE id IN (SELECT pet_id FROM visits OFFSET 1)", "LIMIT"),
}

# 3. Text turned into SQL: a string or quoted name in the place of a unit or a character set.
UNIT_TEXT = {
    "string TIMESTAMPDIFF unit hides an OR": (
        "SELECT name FROM pets WHERE owner_id = 3 AND TIMESTAMPDIFF('SECOND, birth_date, NOW()) > 0 OR "
        "TIMESTAMPDIFF(SECOND', birth_date, NOW()) > 0", "unit"),
    "quoted-name TIMESTAMPDIFF unit hides an OR": (
        "SELECT name FROM pets WHERE owner_id = 3 AND TIMESTAMPDIFF(`SECOND, birth_date, NOW()) > 0 OR "
        "TIMESTAMPDIFF(SECOND`, birth_date, NOW()) > 0", "unit"),
    "string EXTRACT unit": ("SELECT EXTRACT('YEAR' FROM visit_date) FROM visits", "unit"),
    "string INTERVAL unit": ("SELECT name FROM pets WHERE owner_id = 3 AND birth_date > NOW() - INTERVAL 1 "
                             "'DAY OR 1 = 1 OR NOW() > NOW() - INTERVAL 1 DAY'", "unit"),
    "unknown unit word": ("SELECT TIMESTAMPDIFF(FORTNIGHT, birth_date, NOW()) FROM pets", "unit"),
    "string character set": ("SELECT CAST(name AS CHAR CHARACTER SET 'utf8mb4), SLEEP(5), CAST(name AS CHAR "
                             "CHARACTER SET utf8mb4') FROM pets", "character-set"),
    "quoted-name character set": ("SELECT CAST(name AS CHAR CHARACTER SET `utf8mb4) AS a, name AS b, CAST(name "
                                  "AS CHAR CHARACTER SET utf8mb4`) FROM pets", "character-set"),
    "unknown character set": ("SELECT CAST(name AS CHAR CHARACTER SET koi8r) FROM pets", "character-set"),
}

# 4. Crashes inside the parser: every failure to parse or check is a refusal with a reason.
CRASHERS = {
    "40 parentheses": ("SELECT " + "(" * 40 + "1" + ")" * 40 + " FROM pets", "parentheses"),
    "long NOT chain": ("SELECT name FROM pets WHERE " + "NOT " * 300 + "1", "in a row"),
    "long unary minus chain": ("SELECT " + "- " * 300 + "1 FROM pets", "in a row"),
    "long ! chain": ("SELECT name FROM pets WHERE " + "!" * 300 + "1", "in a row"),
    "DATE_ADD with one argument": ("SELECT name FROM pets WHERE DATE_ADD(NOW())", "AttributeError"),
    "DATE_SUB of NULL unclosed": ("SELECT DATE_SUB(NULL FROM pets", "cannot be parsed"),
}

CLASSES = {**{f"cost: {k}": v for k, v in COST.items()}, **{f"misread: {k}": v for k, v in MISREAD.items()},
           **{f"shape: {k}": v for k, v in SHAPES.items()},
           **{f"unit text: {k}": v for k, v in UNIT_TEXT.items()}, **{f"crash: {k}": v for k, v in CRASHERS.items()}}


@pytest.mark.parametrize(("sql", "reason"), list(CLASSES.values()), ids=list(CLASSES))
def test_each_class_is_refused_for_its_reason(sql, reason):
    with pytest.raises(SqlRefused) as refusal:
        guard(sql)
    assert reason in refusal.value.reason


@pytest.mark.parametrize("error", [RecursionError, AttributeError, IndexError, KeyError, TypeError, ValueError])
def test_any_parser_failure_is_a_refusal_with_a_reason(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error("inside sqlglot")

    monkeypatch.setattr(sql_guard.sqlglot, "parse", broken)
    with pytest.raises(SqlRefused, match=error.__name__):
        guard("SELECT name FROM pets")


# Next to each class: what stays accepted, and how it is rendered.
ACCEPTED_EDGES = {
    "three tables with ON": "SELECT DISTINCT o.first_name FROM owners o JOIN pets p ON p.owner_id = o.id "
                            "JOIN types t ON t.id = p.type_id WHERE t.name = 'cat'",
    "four tables with ON": "SELECT v.visit_date FROM visits v JOIN pets p ON p.id = v.pet_id JOIN owners o "
                           "ON o.id = p.owner_id JOIN types t ON t.id = p.type_id",
    "join USING": "SELECT name FROM vets JOIN vet_specialties USING (id)",
    "two subqueries": "SELECT first_name FROM owners WHERE id IN (SELECT owner_id FROM pets) AND id NOT IN "
                      "(SELECT owner_id FROM pets WHERE type_id = 1)",
    "derived table with a small LIMIT": "SELECT t.name FROM (SELECT name FROM pets ORDER BY birth_date LIMIT 10) AS t",
    "small OFFSET": "SELECT name FROM pets ORDER BY name LIMIT 5 OFFSET 10",
    "keyword-named alias": "SELECT COUNT(*) AS `count`, MAX(birth_date) AS `select` FROM pets",
    "decimal literal": "SELECT name FROM pets WHERE id > 1.5",
    "string unit from the set": "SELECT name, TIMESTAMPDIFF('YEAR', birth_date, NOW()) AS age FROM pets",
    "EXTRACT unit": "SELECT EXTRACT(YEAR FROM visit_date) AS y FROM visits",
    "INTERVAL unit": "SELECT description FROM visits WHERE visit_date >= DATE_SUB(NOW(), INTERVAL 6 month)",
    "character set": "SELECT CAST(name AS CHAR CHARACTER SET UTF8MB4) AS n FROM pets",
    "eight parentheses": "SELECT name FROM pets WHERE ((((((((id = 1))))))))",
    "three NOTs": "SELECT name FROM pets WHERE NOT NOT NOT id = 1",
    "aggregates with DISTINCT": "SELECT COUNT(DISTINCT name) AS n, GROUP_CONCAT(DISTINCT name ORDER BY name "
                                "SEPARATOR ', ') AS names FROM pets",
    "star first": "SELECT *, name FROM pets",
}


@pytest.mark.parametrize("sql", list(ACCEPTED_EDGES.values()), ids=list(ACCEPTED_EDGES))
def test_the_edges_stay_accepted_with_the_cap_and_every_name_quoted(sql):
    guarded = checked(sql)
    assert guarded.sql.startswith(f"SELECT /*+ MAX_EXECUTION_TIME({TIME_CAP_MS}) */ ")
    assert sqlglot.parse_one(guarded.sql, read="mysql") == guarded.tree


def test_unit_and_charset_words_are_rendered_from_the_fixed_set():
    assert "TIMESTAMPDIFF(YEAR, `birth_date`, NOW())" in guard(ACCEPTED_EDGES["string unit from the set"])
    assert "INTERVAL '6' MONTH" in guard(ACCEPTED_EDGES["INTERVAL unit"])
    assert "CHARACTER SET utf8mb4)" in guard(ACCEPTED_EDGES["character set"])


def test_names_are_rendered_quoted():
    assert guard("SELECT o.first_name AS n FROM owners o") == (
        f"SELECT /*+ MAX_EXECUTION_TIME({TIME_CAP_MS}) */ `o`.`first_name` AS `n` FROM `owners` AS `o` LIMIT 20")


def test_operators_inside_operators_are_parenthesized():
    """MySQL's precedence cannot regroup what was checked: every operand that is an operator is in
    parentheses (`NOT`, `!` and comparison chains bind differently in MySQL and sqlglot)."""
    assert guard("SELECT name FROM pets WHERE id = 1 AND owner_id = 2 OR NOT type_id IN (1, 2)").endswith(
        "WHERE ((`id` = 1) AND (`owner_id` = 2)) OR (NOT (`type_id` IN (1, 2))) LIMIT 20")
    assert "WHERE (-(-1)) < `id`" in guard("SELECT name FROM pets WHERE - -1 < id")
