"""Property: whatever text the guard accepts, what it returns is a single SELECT over PetClinic
tables, with a capped LIMIT, no comment, no INTO, no lock, no variable and no unknown function,
checked here independently of the guard's own code path (by re-parsing its output)."""
from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from sql_guard import ALLOWED_ANONYMOUS, ALLOWED_TABLES, MAX_LIMIT, SqlRefused, guard
from tests.functions.test_sql_guard import LEGITIMATE

WORDS = [
    "SELECT", "*", "FROM", "WHERE", "AND", "OR", "NOT", "JOIN", "LEFT JOIN", "ON", "AS", "LIKE", "IN", "IS NULL",
    "GROUP BY", "ORDER BY", "DESC", "LIMIT", "UNION", "INTO", "OUTFILE", "FOR UPDATE", "LOCK IN SHARE MODE",
    "DROP TABLE", "DELETE", "UPDATE", "SET", "INSERT", "VALUES", "WITH", "(", ")", ",", ";", "=", "<", "+",
    "1", "20", "500", "'x'", "'%Leo%'", "';DROP TABLE owners;'", "id", "name", "first_name", "o.id", "p.owner_id",
    "owners", "pets", "types", "vets", "specialties", "vet_specialties", "visits", "o", "p", "users",
    "mysql.user", "information_schema.tables", "performance_schema.threads", "sys.session", "petclinic.owners",
    "`mysql`.`user`", "@v", "@@version", "?", ":x", "SLEEP(1)", "BENCHMARK(9, 1)", "LOAD_FILE('/etc/passwd')",
    "COUNT(*)", "MAX(id)", "NOW()", "USER()", "--", "#", "/*", "*/", "/*!50000", "\n", "\t", "\u00a0", "\uff1b",
    "\u200b", "\u043e", "DATABASE()", "INTERVAL 1 DAY", "CASE WHEN 1 THEN 2 END", "EXISTS",
]

soup = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(" ".join)
selects = st.lists(st.sampled_from(WORDS), max_size=20).map(lambda ws: "SELECT " + " ".join(ws))
mutated = st.tuples(st.sampled_from(sorted(LEGITIMATE.values())), soup).map(lambda p: f"{p[0]} {p[1]}")
candidates = st.one_of(soup, selects, mutated, st.sampled_from(sorted(LEGITIMATE.values())), st.text(max_size=80))


def assert_single_safe_select(sql: str) -> None:
    assert not any(marker in sql for marker in ("--", "/*", "*/", "#")), sql
    statements = [s for s in sqlglot.parse(sql, read="mysql") if s is not None]
    assert len(statements) == 1, sql
    tree = statements[0]
    assert isinstance(tree, exp.Select), sql
    limit = tree.args.get("limit")
    assert limit is not None and int(limit.expression.this) <= MAX_LIMIT, sql
    tables = list(tree.find_all(exp.Table))
    assert tables, sql
    for table in tables:
        assert table.name.lower() in ALLOWED_TABLES, sql
        assert table.args.get("db") is None or table.args["db"].name.lower() == "petclinic", sql
        assert table.args.get("catalog") is None, sql
    for node in tree.walk():
        assert not isinstance(node, (exp.DML, exp.DDL, exp.Command, exp.Into, exp.Lock, exp.Parameter,
                                     exp.SessionParameter, exp.Placeholder, exp.Union, exp.With)), sql
        if isinstance(node, exp.Select):
            assert node.args.get("into") is None and not node.args.get("locks"), sql
        if isinstance(node, exp.Anonymous):
            assert node.name.upper() in ALLOWED_ANONYMOUS, sql


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidates)
def test_anything_accepted_is_a_single_select_over_petclinic_tables(sql):
    try:
        safe = guard(sql)
    except SqlRefused:
        return
    assert_single_safe_select(safe)


def test_the_strategies_reach_the_accepting_side():
    """The property would hold vacuously if nothing generated were ever accepted."""
    accepted = []

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)  # same examples every run
    @given(st.one_of(mutated, selects))
    def collect(sql):
        try:
            accepted.append(guard(sql))
        except SqlRefused:
            pass

    collect()
    assert accepted, "no generated statement was accepted"
