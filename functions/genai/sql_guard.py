"""The SQL guard: decides whether a statement written by the model may run on the PetClinic database.

`guard(sql)` returns the statement that will run, or raises `SqlRefused` with a short reason. It
accepts one read-only `SELECT` over the PetClinic tables within bounded cost, and nothing else; the
text checks are in `sql_text.py`, the tree rules in `sql_tree.py`. Any failure of the parser or of a
check (a `RecursionError` or an `IndexError` inside sqlglot included) is a refusal, never a crash.

What runs is rendered from the checked tree, not the model's text: every identifier back-quoted, the
outer `LIMIT` capped, and a `MAX_EXECUTION_TIME` optimizer hint on the statement, so that MySQL 8 /
Aurora MySQL 3 stops it after `TIME_CAP_MS` whatever the limits did not foresee. The guard then reads
its own rendering back and refuses unless it is the same tree, and checks that every bare word of it
is one MySQL's lexer reads as sqlglot does.

It deliberately holds no AWS calls, no logging and no prompt text: it is a pure function of its input.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

import sql_tree
from sql_text import MAX_SQL_CHARS, SqlRefused, bare_words_read_alike, plain_text, tokens_of
from sql_tree import ALLOWED_ANONYMOUS, ALLOWED_TABLES, DATABASE, MAX_LIMIT

__all__ = ["ALLOWED_ANONYMOUS", "ALLOWED_TABLES", "DATABASE", "DEFAULT_LIMIT", "MAX_LIMIT", "MAX_SQL_CHARS",
           "TIME_CAP_MS", "Guarded", "SqlRefused", "checked", "fingerprint", "guard", "shape"]

DIALECT = "mysql"
DEFAULT_LIMIT = 20
TIME_CAP_MS = 5000  # below the Data API client's 10 s read timeout: the server stops first
TIME_CAP_HINT = f"/*+ MAX_EXECUTION_TIME({TIME_CAP_MS}) */"


@dataclass(frozen=True)
class Guarded:
    sql: str            # the text that runs
    tree: exp.Select    # the checked tree it is the rendering of


def guard(sql: object) -> str:
    """The statement to run for `sql`, or `SqlRefused`."""
    return checked(sql).sql


def checked(sql: object) -> Guarded:
    """The statement to run for `sql` with the tree it was rendered from, or `SqlRefused`."""
    try:
        return _checked(sql)
    except SqlRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a check that cannot finish refuses
        raise SqlRefused(f"the statement cannot be checked ({type(exc).__name__})") from None


def fingerprint(sql: str) -> str:
    """A short, data-free identifier of a statement for logs."""
    return hashlib.sha256(sql.encode("utf-8", "replace")).hexdigest()[:16]


def shape(sql: str) -> str:
    """The statement with every literal replaced by `?`: what was asked, without the data."""
    try:
        tree = sqlglot.parse_one(sql, read=DIALECT)
        for literal in list(tree.find_all(exp.Literal)):
            literal.replace(exp.Placeholder())
        return tree.sql(dialect=DIALECT)
    except Exception:  # noqa: BLE001 - a log field must never fail the request
        return "<unreadable>"


def time_cap() -> exp.Hint:
    return exp.Hint(expressions=[exp.Anonymous(this="MAX_EXECUTION_TIME",
                                               expressions=[exp.Literal.number(TIME_CAP_MS)])])


def _checked(sql: object) -> Guarded:
    text = plain_text(sql)
    tokens_of(text)
    tree = _parse_select(text)
    sql_tree.check(tree)
    _cap_limit(tree)
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("quoted", True)  # MySQL then reads every name as one name, whatever its letters
    _parenthesize_operands(tree)
    tree.set("hint", time_cap())
    rendered = tree.sql(dialect=DIALECT)
    bare_words_read_alike(rendered, TIME_CAP_HINT)
    if _parse_select(rendered) != tree:
        raise SqlRefused("the rendered statement does not read back as the checked one")
    return Guarded(rendered, tree)


OPERATORS = (exp.Binary, exp.Unary, exp.Predicate)


def _parenthesize_operands(tree: exp.Select) -> None:
    """Every operator that is an operand of another stands in parentheses, so that MySQL's operator
    precedence (which differs from sqlglot's here and there: `!`, `NOT`, `=` chains) cannot regroup it."""
    for node in list(tree.walk()):
        parent = node.parent
        chained = isinstance(node, (exp.And, exp.Or)) and type(parent) is type(node) and node.arg_key == "this"
        if (isinstance(node, OPERATORS) and not isinstance(node, exp.Paren) and isinstance(parent, OPERATORS)
                and not isinstance(parent, exp.Paren) and not chained):  # a AND b AND c reads alike everywhere
            paren = exp.Paren()
            node.replace(paren)
            paren.set("this", node)


def _parse_select(text: str) -> exp.Select:
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except Exception as exc:  # noqa: BLE001 - ParseError, RecursionError, IndexError...: not read, not run
        raise SqlRefused(f"the statement cannot be parsed as MySQL ({type(exc).__name__})") from None
    if len(statements) != 1:
        raise SqlRefused(f"only one statement is allowed ({len(statements)} found)")
    tree = statements[0]
    if not isinstance(tree, exp.Select):
        raise SqlRefused(f"only SELECT statements are allowed (found {type(tree).__name__})")
    return tree


def _cap_limit(tree: exp.Select) -> None:
    limit = tree.args.get("limit")
    if limit is None:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(DEFAULT_LIMIT)))
    elif sql_tree.whole_number(limit.expression, "LIMIT") > MAX_LIMIT:
        limit.set("expression", exp.Literal.number(MAX_LIMIT))
