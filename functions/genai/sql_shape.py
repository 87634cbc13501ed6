"""The SQL guard's rules on the shape of a parsed statement: trees that sqlglot builds from text
that MySQL would read as another tree, or not at all, are refused.

sqlglot parses generously (many dialects share one parser): `x IS y`, a join without `FROM`, `*` as
an operand, `ORDER BY` inside a function's arguments, `LIMIT 5 BY x`, a bare `SELECT` as a join. Run
as rendered, such a statement is a syntax error at best and, at worst, a statement that is not the
checked one. The rules here were found by running generated accepted statements on MariaDB
(tests/functions/test_mariadb_tier.py keeps doing so).

Holds no allow-list of node types or limits (see `sql_tree.py`).
"""
from __future__ import annotations

from sqlglot import exp

from sql_text import SqlRefused

AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.GroupConcat)
ONLY_ARGS = {exp.Limit: frozenset({"expression"}), exp.Offset: frozenset({"expression"})}


def check_shape(node: exp.Expression) -> None:
    """Refuses trees sqlglot builds from text MySQL would not read as that tree (or not at all)."""
    if isinstance(node, exp.Select) and not node.expressions:
        raise SqlRefused("a SELECT needs a select list")
    if isinstance(node, exp.Select) and node.args.get("joins") and node.args.get("from_") is None:
        raise SqlRefused("a join needs a FROM")
    if isinstance(node, (exp.Group, exp.Order)) and not node.expressions:
        raise SqlRefused("GROUP BY and ORDER BY need something to group or sort by")
    if isinstance(node, exp.Star) and not (isinstance(node.parent, (exp.Count, exp.Column)) or
                                           (isinstance(node.parent, exp.Select) and node.arg_key == "expressions")):
        raise SqlRefused("* stands only in the select list, COUNT(*) or table.*")
    if isinstance(node, exp.Star) and isinstance(node.parent, exp.Select) and node.parent.expressions[0] is not node:
        raise SqlRefused("an unqualified * must come first in the select list")
    if isinstance(node, exp.Order) and not _in_place(node, (exp.Select, "order"), (exp.GroupConcat, "this")):
        raise SqlRefused("ORDER BY stands only at the end of a SELECT or in GROUP_CONCAT")
    if isinstance(node, exp.Distinct) and not (
            _in_place(node, (exp.Select, "distinct"), (AGGREGATES, "this"))
            or (_in_place(node, (exp.Order, "this")) and _in_place(node.parent, (exp.GroupConcat, "this")))):
        raise SqlRefused("DISTINCT stands only after SELECT or as an aggregate's argument")
    if isinstance(node, exp.Distinct) and node.arg_key != "distinct" and not node.expressions:
        raise SqlRefused("DISTINCT in an aggregate needs an argument")
    if isinstance(node, AGGREGATES) and node.this is None:
        raise SqlRefused(f"{node.sql_name()[:30]}() needs an argument")
    if isinstance(node, exp.Expression) and node.error_messages():
        raise SqlRefused(f"a call to {type(node).__name__} is missing an argument")
    if isinstance(node, exp.Subquery) and isinstance(node.parent, (exp.From, exp.Join)) and not node.alias:
        raise SqlRefused("a derived table needs an alias")
    if isinstance(node, exp.Select) and node.parent is not None and not isinstance(node.parent, (exp.Subquery, exp.Exists)):
        raise SqlRefused("a subquery must stand in parentheses")
    if isinstance(node, exp.In) and (node.args.get("field") is not None or
                                     not (node.expressions or node.args.get("query"))):
        raise SqlRefused("IN needs a list of values or a subquery")
    if isinstance(node, exp.Is) and not isinstance(node.expression, (exp.Null, exp.Boolean)):
        raise SqlRefused("IS may only test for NULL, TRUE or FALSE")
    if isinstance(node, exp.Column) and not isinstance(node.this, (exp.Identifier, exp.Star)):
        raise SqlRefused("a column must be a name")
    if isinstance(node, exp.Alias) and isinstance(node.this, exp.Star):
        raise SqlRefused("* cannot be renamed")
    if isinstance(node, exp.TableAlias) and node.args.get("columns"):
        raise SqlRefused("a table alias may not rename columns")
    if isinstance(node, exp.GroupConcat) and node.args.get("separator") is not None and not (
            isinstance(node.args["separator"], exp.Literal) and node.args["separator"].is_string):
        raise SqlRefused("GROUP_CONCAT's SEPARATOR must be a string")
    for kind, allowed in ONLY_ARGS.items():
        if isinstance(node, kind) and any(v not in (None, [], False) for k, v in node.args.items() if k not in allowed):
            raise SqlRefused(f"{kind.__name__.upper()} takes a number and nothing else")
    if isinstance(node, exp.Join):
        for name in node.args.get("using") or []:
            if not isinstance(name, exp.Identifier) and not (isinstance(name, exp.Column) and not name.table):
                raise SqlRefused("USING takes column names")


def _in_place(node: exp.Expression, *places: tuple) -> bool:
    """Whether `node` is the argument `key` of a parent of type `kind`, for one of `places`."""
    return any(isinstance(node.parent, kind) and node.arg_key == key for kind, key in places)
