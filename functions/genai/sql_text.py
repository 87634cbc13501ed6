"""The SQL guard's checks on text, before sqlglot parses it and after the guard has rendered it.

Before parsing: the statement is plain text of bounded size with no comment, no backslash, nothing
outside string literals but printable ASCII, one statement starting with `SELECT`, and bounded
nesting (parentheses, runs of prefix operators), so that sqlglot's recursive parser cannot run out
of stack on it. After rendering: every bare word of the text that will run is one MySQL reads as
sqlglot does (a keyword or a plain decimal number; identifiers are always back-quoted), so MySQL
cannot split a word like `1e1or` differently from the checked tree.

Holds no rule about what a statement may contain (see `sql_tree.py`).
"""
from __future__ import annotations

import re

from sqlglot.dialects.mysql import MySQL
from sqlglot.tokens import Token, TokenType

MAX_SQL_CHARS = 2000
MAX_PAREN_DEPTH = 8
MAX_PREFIX_RUN = 3  # NOT NOT NOT x, - - -1: more in a row is never a real question
COMMENT_MARKERS = ("/*", "*/", "--", "#")
PLAIN_CHARACTERS = frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\t", "\n", "\r"}
PREFIX_OPERATORS = frozenset({TokenType.NOT, TokenType.EXCLAMATION, TokenType.DASH, TokenType.PLUS, TokenType.TILDE})
STRING_TOKENS = (TokenType.STRING, TokenType.NATIONAL_STRING)
BARE_WORD = re.compile(r"[A-Za-z0-9_$]+")
KEYWORD_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
NUMBER_WORD = re.compile(r"[0-9]+")


class SqlRefused(ValueError):
    """The statement may not run; `reason` says why (it never repeats the statement)."""

    def __init__(self, reason: str):
        super().__init__(f"refused: {reason}")
        self.reason = reason


def plain_text(sql: object) -> str:
    if not isinstance(sql, str):
        raise SqlRefused("the statement is not text")
    text = sql.strip()
    if not text:
        raise SqlRefused("the statement is empty")
    if len(text) > MAX_SQL_CHARS:
        raise SqlRefused(f"the statement is longer than {MAX_SQL_CHARS} characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SqlRefused("the statement is not valid Unicode") from None
    if any(marker in text for marker in COMMENT_MARKERS):
        raise SqlRefused("the statement contains a comment marker")
    if "\\" in text:
        # MySQL and sqlglot read backslash escapes differently (\% and \_ stay two characters in MySQL).
        raise SqlRefused("the statement contains a backslash")
    return text


def tokens_of(text: str) -> list[Token]:
    """The tokens of one bounded, comment-free SELECT statement, or `SqlRefused`."""
    try:
        tokens = MySQL().tokenize(text)
    except Exception:  # noqa: BLE001 - whatever the tokenizer raises, the text is not read
        raise SqlRefused("the statement cannot be read as MySQL") from None
    if not tokens or tokens[0].token_type != TokenType.SELECT:
        raise SqlRefused("only SELECT statements are allowed")
    if any(token.comments for token in tokens):
        raise SqlRefused("the statement contains a comment")
    semicolons = [i for i, t in enumerate(tokens) if t.token_type == TokenType.SEMICOLON]
    if semicolons and semicolons != [len(tokens) - 1]:
        raise SqlRefused("only one statement is allowed")
    _outside_strings_is_plain(text, tokens)
    _nesting_is_bounded(tokens)
    return tokens


def _outside_strings_is_plain(text: str, tokens: list[Token]) -> None:
    inside = bytearray(len(text))
    for token in tokens:
        if token.token_type in STRING_TOKENS:
            inside[token.start:token.end + 1] = b"\x01" * (token.end + 1 - token.start)
    for i, char in enumerate(text):
        if inside[i]:
            if ord(char) < 0x20 and char not in "\t\n\r":
                raise SqlRefused("a string literal contains a control character")
        elif char not in PLAIN_CHARACTERS:
            raise SqlRefused(f"the statement contains the character U+{ord(char):04X} outside a string literal")


def _nesting_is_bounded(tokens: list[Token]) -> None:
    depth = run = 0
    for token in tokens:
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
            if depth > MAX_PAREN_DEPTH:
                raise SqlRefused(f"the statement nests parentheses more than {MAX_PAREN_DEPTH} deep")
        elif kind == TokenType.R_PAREN:
            depth -= 1
        run = run + 1 if kind in PREFIX_OPERATORS else 0
        if run > MAX_PREFIX_RUN:
            raise SqlRefused(f"the statement has more than {MAX_PREFIX_RUN} operators in a row")


def bare_words_read_alike(rendered: str, hint: str) -> None:
    """Every word outside quotes in `rendered` is one MySQL's lexer reads as sqlglot's does.

    `hint` is the optimizer-hint comment the guard itself put right after `SELECT `; nothing else of
    the text may be a comment.
    """
    if not rendered.startswith("SELECT " + hint + " "):
        raise SqlRefused("the rendered statement does not carry the time cap")
    body = rendered[len("SELECT " + hint):]
    if any(marker in body for marker in COMMENT_MARKERS):
        raise SqlRefused("the rendered statement contains a comment marker")
    for word in BARE_WORD.findall(_without_quoted(body)):
        if not (KEYWORD_WORD.fullmatch(word) or NUMBER_WORD.fullmatch(word)):
            raise SqlRefused(f"the word {word[:20]} would be read differently by MySQL")


def _without_quoted(text: str) -> str:
    """`text` with every '...' and `...` span (doubled quotes inside) replaced by a space."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char in "'`":
            end = i + 1
            while True:
                end = text.find(char, end)
                if end == -1:
                    raise SqlRefused("the rendered statement has an unterminated quote")
                if text.startswith(char * 2, end):
                    end += 2
                    continue
                break
            out.append(" ")
            i = end + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)
