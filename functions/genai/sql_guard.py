"""The SQL guard: decides whether a statement written by the model may run on the PetClinic database.

`guard(sql)` parses the text with sqlglot (MySQL dialect) and returns the statement that will be
run, re-rendered from the checked tree with a capped `LIMIT`; anything else raises `SqlRefused` with
a short reason. It accepts one read-only `SELECT` over the PetClinic tables, built only from an
allow-list of expression types and functions, and nothing else: no second statement, no comments
(MySQL executable comments included), no `INTO`, no locking clause, no other schema, no user or
system variables, no placeholders, no unknown function. Text outside string literals must be plain
ASCII, so look-alike letters or separators cannot hide a keyword.

It deliberately holds no AWS calls, no logging and no prompt text: it is a pure function of its input.
"""
from __future__ import annotations

import hashlib

import sqlglot
from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

DIALECT = "mysql"
ALLOWED_TABLES = frozenset({"owners", "pets", "types", "vets", "specialties", "vet_specialties", "visits"})
DATABASE = "petclinic"
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_SQL_CHARS = 2000
COMMENT_MARKERS = ("/*", "*/", "--", "#")
PLAIN_CHARACTERS = frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\t", "\n", "\r"}

# Every node of an accepted tree is one of these types (an allow-list: a type sqlglot adds later
# is refused until someone decides it is safe).
STRUCTURE = (
    exp.Select, exp.From, exp.Join, exp.Where, exp.Group, exp.Having, exp.Order, exp.Ordered, exp.Limit,
    exp.Offset, exp.Subquery, exp.Table, exp.TableAlias, exp.Alias, exp.Column, exp.Identifier, exp.Star,
    exp.Distinct, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Tuple, exp.Interval, exp.DataType,
    exp.Var,
)
OPERATORS = (
    exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Like,
    exp.Between, exp.Exists, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg,
)
FUNCTIONS = (
    exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.GroupConcat, exp.Lower, exp.Upper, exp.Concat,
    exp.ConcatWs, exp.Coalesce, exp.Nullif, exp.If, exp.Case, exp.Cast, exp.Length, exp.Trim, exp.Substring,
    exp.Left, exp.Round, exp.Abs, exp.Floor, exp.Ceil, exp.Year, exp.Month, exp.Day, exp.DayOfMonth,
    exp.Extract, exp.CurrentDate, exp.DateAdd, exp.DateSub, exp.DateDiff, exp.TimestampDiff, exp.TimeToStr,
    exp.StrToDate, exp.TsOrDsToDate, exp.TsOrDsToTimestamp,
)
ALLOWED_NODES = STRUCTURE + OPERATORS + FUNCTIONS
# Functions sqlglot has no class for but that only compute on their arguments.
ALLOWED_ANONYMOUS = frozenset({"NOW", "DATE", "CHAR_LENGTH"})


class SqlRefused(ValueError):
    """The statement may not run; `reason` says why (it never repeats the statement)."""

    def __init__(self, reason: str):
        super().__init__(f"refused: {reason}")
        self.reason = reason


def guard(sql: object) -> str:
    """The statement to run for `sql`, or `SqlRefused`."""
    text = _plain_text(sql)
    tree = _single_select(text)
    _check_tree(tree)
    _cap_limit(tree)
    safe = tree.sql(dialect=DIALECT)
    # What runs is the rendering of the checked tree; it must read back as the same tree.
    again = _single_select(safe)
    _check_tree(again)
    if again.sql(dialect=DIALECT) != safe:
        raise SqlRefused("the statement does not render stably")
    return safe


def fingerprint(sql: str) -> str:
    """A short, data-free identifier of a statement for logs."""
    return hashlib.sha256(sql.encode("utf-8", "replace")).hexdigest()[:16]


def shape(sql: str) -> str:
    """The statement with every literal replaced by `?`: what was asked, without the data."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    for literal in list(tree.find_all(exp.Literal)):
        literal.replace(exp.Placeholder())
    return tree.sql(dialect=DIALECT)


# ---------------------------------------------------------------------------- the checks
def _plain_text(sql: object) -> str:
    if not isinstance(sql, str):
        raise SqlRefused("the statement is not text")
    text = sql.strip()
    if not text:
        raise SqlRefused("the statement is empty")
    if len(text) > MAX_SQL_CHARS:
        raise SqlRefused(f"the statement is longer than {MAX_SQL_CHARS} characters")
    if any(marker in text for marker in COMMENT_MARKERS):
        raise SqlRefused("the statement contains a comment marker")
    return text


def _single_select(text: str) -> exp.Select:
    try:
        tokens = MySQL().tokenize(text)
    except SqlglotError:
        raise SqlRefused("the statement cannot be read as MySQL") from None
    if not tokens or tokens[0].token_type != TokenType.SELECT:
        raise SqlRefused("only SELECT statements are allowed")
    if any(token.comments for token in tokens):
        raise SqlRefused("the statement contains a comment")
    semicolons = [i for i, t in enumerate(tokens) if t.token_type == TokenType.SEMICOLON]
    if semicolons and semicolons != [len(tokens) - 1]:
        raise SqlRefused("only one statement is allowed")
    _outside_strings_is_plain(text, tokens)
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except SqlglotError:
        raise SqlRefused("the statement cannot be parsed as MySQL") from None
    if len(statements) != 1:
        raise SqlRefused(f"only one statement is allowed ({len(statements)} found)")
    tree = statements[0]
    if not isinstance(tree, exp.Select):
        raise SqlRefused(f"only SELECT statements are allowed (found {type(tree).__name__})")
    return tree


def _outside_strings_is_plain(text: str, tokens) -> None:
    inside = bytearray(len(text))
    for token in tokens:
        if token.token_type in (TokenType.STRING, TokenType.NATIONAL_STRING):
            inside[token.start:token.end + 1] = b"\x01" * (token.end + 1 - token.start)
    for i, char in enumerate(text):
        if inside[i]:
            if ord(char) < 0x20 and char not in "\t\n\r":
                raise SqlRefused("a string literal contains a control character")
        elif char not in PLAIN_CHARACTERS:
            raise SqlRefused(f"the statement contains the character U+{ord(char):04X} outside a string literal")


def _check_tree(tree: exp.Select) -> None:
    if tree.args.get("into") is not None:
        raise SqlRefused("SELECT ... INTO is not allowed")
    if tree.args.get("locks"):
        raise SqlRefused("locking clauses are not allowed")
    tables = 0
    for node in tree.walk():
        if isinstance(node, exp.Select) and (node.args.get("into") is not None or node.args.get("locks")):
            raise SqlRefused("INTO and locking clauses are not allowed")
        if isinstance(node, exp.Anonymous):
            if node.name.upper() not in ALLOWED_ANONYMOUS:
                raise SqlRefused(f"the function {node.name.upper()} is not allowed")
            continue
        if not isinstance(node, ALLOWED_NODES):
            raise SqlRefused(f"{_describe(node)} is not allowed")
        if isinstance(node, exp.Table):
            _check_table(node)
            tables += 1
        elif isinstance(node, exp.Column) and (node.args.get("db") is not None or node.args.get("catalog") is not None):
            raise SqlRefused("columns may not name a schema")
    if not tables:
        raise SqlRefused("the statement reads no PetClinic table")


def _check_table(table: exp.Table) -> None:
    if not isinstance(table.this, exp.Identifier):
        raise SqlRefused("only plain tables may be read")
    if table.args.get("catalog") is not None:
        raise SqlRefused("tables may not name a catalog")
    schema = table.args.get("db")
    if schema is not None and schema.name.lower() != DATABASE:
        raise SqlRefused(f"the schema {schema.name} is not allowed")
    if table.name.lower() not in ALLOWED_TABLES:
        raise SqlRefused(f"the table {table.name} is not a PetClinic table")


def _cap_limit(tree: exp.Select) -> None:
    limit = tree.args.get("limit")
    if limit is None:
        tree.set("limit", exp.Limit(expression=exp.Literal.number(DEFAULT_LIMIT)))
        return
    count = limit.expression
    if not isinstance(count, exp.Literal) or count.is_string or not count.this.isdigit():
        raise SqlRefused("LIMIT must be a whole number")
    if int(count.this) > MAX_LIMIT:
        limit.set("expression", exp.Literal.number(MAX_LIMIT))
    offset = tree.args.get("offset")
    if offset is not None:
        value = offset.expression
        if not isinstance(value, exp.Literal) or value.is_string or not value.this.isdigit():
            raise SqlRefused("OFFSET must be a whole number")


def _describe(node: exp.Expression) -> str:
    names = {exp.Parameter: "a user variable", exp.SessionParameter: "a system variable",
             exp.Placeholder: "a placeholder", exp.Union: "UNION", exp.With: "WITH", exp.Command: "a command"}
    for kind, name in names.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Func):
        return f"the function {node.sql_name()}"
    return f"the expression {type(node).__name__}"
