"""The SQL guard's rules on a parsed statement: what it may contain and how much work it may ask for.

What: every node is of an allow-listed type; tables are PetClinic tables (optionally in the
`petclinic` schema); no INTO, no lock, no variable, no unknown function; identifiers are plain words
that start with a letter; numbers are plain decimals; a unit (`INTERVAL`, `TIMESTAMPDIFF`,
`EXTRACT`) or a character-set name is one of a fixed set of words, which replaces whatever text it
was read from.

How much: at most `MAX_TABLES` table references and `MAX_JOINS` joins in the whole statement, every
join with a `USING` or an `ON` condition that ties the joined table to another (no cartesian
product, `ON 1 = 1` included), at most `MAX_SUBQUERIES` subqueries,
none inside another, only in `FROM`, a join, `WHERE` or `HAVING`; an inner `LIMIT` at most
`MAX_LIMIT`, an `OFFSET` at most `MAX_OFFSET`; the tree at most `MAX_TREE_DEPTH` deep; no select
modifier (`SQL_CALC_FOUND_ROWS`, `STRAIGHT_JOIN`, `HIGH_PRIORITY`, ...) and no join hint. The server-side
time cap that bounds what these limits do not is added by `sql_guard.py`.

Holds no text checks (see `sql_text.py`) and no rules on the shape of the tree (see `sql_shape.py`).
"""
from __future__ import annotations

import re

from sqlglot import exp

from sql_shape import check_shape
from sql_text import SqlRefused

ALLOWED_TABLES = frozenset({"owners", "pets", "types", "vets", "specialties", "vet_specialties", "visits"})
DATABASE = "petclinic"
MAX_LIMIT = 50
MAX_OFFSET = 1000
MAX_TABLES = 4
MAX_JOINS = 3
MAX_SUBQUERIES = 2
MAX_TREE_DEPTH = 40
SUBQUERY_CLAUSES = frozenset({"from_", "joins", "where", "having"})

# Every node of an accepted tree is one of these types (an allow-list: a type sqlglot adds later
# is refused until someone decides it is safe).
STRUCTURE = (
    exp.Select, exp.From, exp.Join, exp.Where, exp.Group, exp.Having, exp.Order, exp.Ordered, exp.Limit,
    exp.Offset, exp.Subquery, exp.Table, exp.TableAlias, exp.Alias, exp.Column, exp.Identifier, exp.Star,
    exp.Distinct, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Tuple, exp.Interval, exp.DataType,
    exp.DataTypeParam, exp.Var,
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

# The only words that may stand where MySQL expects a unit or a character set (rendered bare).
UNITS = frozenset({"MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"})
CHARSETS = frozenset({"utf8mb4", "utf8mb3", "utf8", "latin1", "ascii", "binary"})
UNIT_PLACES = {(exp.Interval, "unit"), (exp.TimestampDiff, "unit"), (exp.DateAdd, "unit"), (exp.DateSub, "unit"),
               (exp.DateDiff, "unit"), (exp.Extract, "this")}
UNIT_HOLDERS = tuple(kind for kind, _ in UNIT_PLACES)
CAST_TYPES = frozenset({exp.DataType.Type.CHAR, exp.DataType.Type.DATE, exp.DataType.Type.DATETIME,
                        exp.DataType.Type.TIME, exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGINT,
                        exp.DataType.Type.UBIGINT, exp.DataType.Type.CHARACTER_SET})

# Arguments a node may carry; any other non-empty one (a modifier, a hint, a clause sqlglot knows
# from another dialect) is refused.
SELECT_ARGS = frozenset({"expressions", "distinct", "from_", "joins", "where", "group", "having", "order", "limit",
                         "offset"})
JOIN_ARGS = frozenset({"this", "on", "using", "side", "kind"})
TABLE_ARGS = frozenset({"this", "db", "alias"})
JOIN_KINDS = frozenset({"", "INNER", "OUTER"})
JOIN_SIDES = frozenset({"", "LEFT", "RIGHT"})
PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
PLAIN_NUMBER = re.compile(r"[0-9]{1,18}(\.[0-9]{1,18})?")


def check(tree: exp.Select) -> None:
    """Refuses `tree` unless it is a read of PetClinic tables within the limits; fixes unit words."""
    _depth_is_bounded(tree)
    tables = joins = subqueries = 0
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            if node.name.upper() not in ALLOWED_ANONYMOUS:
                raise SqlRefused(f"the function {node.name.upper()[:30]} is not allowed")
            continue
        if not isinstance(node, ALLOWED_NODES):
            raise SqlRefused(f"{_describe(node)} is not allowed")
        if isinstance(node, exp.Select):
            _check_select(node, root=node is tree)
            subqueries += node is not tree
        elif isinstance(node, exp.Join):
            _check_join(node)
            joins += 1
        elif isinstance(node, exp.Table):
            _check_table(node)
            tables += 1
        elif isinstance(node, exp.Column) and (node.args.get("db") is not None or node.args.get("catalog") is not None):
            raise SqlRefused("columns may not name a schema")
        elif isinstance(node, exp.Identifier) and not PLAIN_NAME.fullmatch(node.name):
            raise SqlRefused("a name must be a plain word that starts with a letter")
        elif isinstance(node, exp.Literal) and not node.is_string and not PLAIN_NUMBER.fullmatch(node.this):
            raise SqlRefused("numbers must be plain decimals (no exponent, hexadecimal or sign in the literal)")
        elif isinstance(node, exp.Var):
            _fix_word(node)
        check_shape(node)
        if isinstance(node, UNIT_HOLDERS):
            _unit_is_a_word(node)
        elif isinstance(node, exp.DataType):
            _check_type(node)
    if not tables:
        raise SqlRefused("the statement reads no PetClinic table")
    if tables > MAX_TABLES:
        raise SqlRefused(f"the statement reads more than {MAX_TABLES} tables")
    if joins > MAX_JOINS:
        raise SqlRefused(f"the statement has more than {MAX_JOINS} joins")
    if subqueries > MAX_SUBQUERIES:
        raise SqlRefused(f"the statement has more than {MAX_SUBQUERIES} subqueries")


def _depth_is_bounded(tree: exp.Expression) -> None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise SqlRefused(f"the statement nests more than {MAX_TREE_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in node.iter_expressions())


def _check_select(select: exp.Select, root: bool) -> None:
    modifiers = select.args.get("operation_modifiers")
    if modifiers:
        raise SqlRefused(f"the modifier {str(modifiers[0].name).upper()[:30]} is not allowed")
    for key, value in select.args.items():
        if key not in SELECT_ARGS and value not in (None, [], False):
            raise SqlRefused(f"the clause {key.upper().rstrip('_')} is not allowed")
    if not root:
        clause = _clause_of(select)
        if clause not in SUBQUERY_CLAUSES:
            raise SqlRefused("a subquery may only stand in FROM, a join, WHERE or HAVING")
        if sum(isinstance(outer, exp.Select) for outer in _ancestors(select.parent)) > 1:
            raise SqlRefused("a subquery may not contain another subquery")
        limit = select.args.get("limit")
        if limit is None and select.args.get("offset") is not None:
            raise SqlRefused("a subquery's OFFSET needs a LIMIT")
        if limit is not None and whole_number(limit.expression, "a subquery's LIMIT") > MAX_LIMIT:
            raise SqlRefused(f"a subquery's LIMIT may be at most {MAX_LIMIT}")
    offset = select.args.get("offset")
    if offset is not None and whole_number(offset.expression, "OFFSET") > MAX_OFFSET:
        raise SqlRefused(f"OFFSET may be at most {MAX_OFFSET}")


def _ancestors(node: exp.Expression | None):
    while node is not None:
        yield node
        node = node.parent


def _clause_of(select: exp.Select) -> str | None:
    """The argument of the enclosing SELECT under which `select` stands."""
    node = select
    while node.parent is not None and not isinstance(node.parent, exp.Select):
        node = node.parent
    return node.arg_key if node.parent is not None else None


def _check_join(join: exp.Join) -> None:
    for key, value in join.args.items():
        if key not in JOIN_ARGS and value not in (None, [], False):
            raise SqlRefused(f"the join {key} {str(value).upper()[:20]} is not allowed")
    kind, side = str(join.args.get("kind") or "").upper(), str(join.args.get("side") or "").upper()
    if kind not in JOIN_KINDS:
        raise SqlRefused(f"{kind[:20]} joins are not allowed")
    if side not in JOIN_SIDES:
        raise SqlRefused(f"{side[:20]} joins are not allowed")
    on = join.args.get("on")
    if on is None and not join.args.get("using"):
        raise SqlRefused("every join needs an ON or USING condition (no cartesian products)")
    if on is not None:
        # ON 1 = 1 or ON a.id >= 0 is a cartesian product too: the condition must tie the joined
        # table to another one, through qualified columns.
        joined = join.this.alias_or_name.lower()
        named = {column.table.lower() for column in on.find_all(exp.Column) if column.table}
        if joined not in named or not named - {joined}:
            raise SqlRefused("a join's ON must compare a column of the joined table with one of another table")


def _check_table(table: exp.Table) -> None:
    for key, value in table.args.items():
        if key not in TABLE_ARGS and value not in (None, [], False):
            raise SqlRefused(f"table {key} clauses are not allowed")
    if not isinstance(table.this, exp.Identifier):
        raise SqlRefused("only plain tables may be read")
    schema = table.args.get("db")
    if schema is not None and schema.name.lower() != DATABASE:
        raise SqlRefused(f"the schema {schema.name[:64]} is not allowed")
    if table.name.lower() not in ALLOWED_TABLES:
        raise SqlRefused(f"the table {table.name[:64]} is not a PetClinic table")


def _fix_word(var: exp.Var) -> None:
    parent, place = var.parent, var.arg_key
    word = str(var.this)
    if any(isinstance(parent, kind) and place == key for kind, key in UNIT_PLACES):
        if word.upper() not in UNITS:
            raise SqlRefused("only a fixed set of words may stand for a unit (YEAR, MONTH, DAY, ...)")
        var.set("this", word.upper())
    elif isinstance(parent, exp.DataType) and place == "kind":
        if word.lower() not in CHARSETS:
            raise SqlRefused("only a fixed set of character-set names may be used")
        var.set("this", word.lower())
    else:
        raise SqlRefused("a bare word is not allowed here")


def _unit_is_a_word(node: exp.Expression) -> None:
    for kind, key in UNIT_PLACES:
        unit = node.args.get(key) if isinstance(node, kind) else None
        if (unit is not None or isinstance(node, exp.Interval)) and not isinstance(unit, exp.Var):
            raise SqlRefused("only a fixed set of words may stand for a unit (YEAR, MONTH, DAY, ...)")


def _check_type(data_type: exp.DataType) -> None:
    if data_type.this not in CAST_TYPES:
        raise SqlRefused(f"the type {data_type.this.name[:20]} is not allowed")
    kind = data_type.args.get("kind")
    if (data_type.this == exp.DataType.Type.CHARACTER_SET or kind is not None) and not isinstance(kind, exp.Var):
        raise SqlRefused("only a fixed set of character-set names may be used")
    for param in data_type.expressions:
        if not isinstance(param, exp.DataTypeParam) or not isinstance(param.this, exp.Literal) or param.this.is_string:
            raise SqlRefused("type parameters must be plain numbers")


def whole_number(value: exp.Expression | None, what: str) -> int:
    if not isinstance(value, exp.Literal) or value.is_string or not value.this.isdigit() or len(value.this) > 18:
        raise SqlRefused(f"{what} must be a whole number")
    return int(value.this)


def _describe(node: exp.Expression) -> str:
    names = {exp.Parameter: "a user variable", exp.SessionParameter: "a system variable",
             exp.Placeholder: "a placeholder", exp.Union: "UNION", exp.With: "WITH", exp.Command: "a command",
             exp.Into: "SELECT ... INTO", exp.Lock: "a locking clause"}
    for kind, name in names.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Func):
        return f"the function {node.sql_name()[:30]}"
    return f"the expression {type(node).__name__}"
