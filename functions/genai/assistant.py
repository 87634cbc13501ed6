"""What the assistant does with a valid question: one Bedrock call plans it (database lookup or
general advice, with the SQL for a lookup), the SQL passes `sql_guard` or is refused, the guarded
statement runs through the RDS Data API, and a second Bedrock call phrases the answer from the rows.

Holds no HTTP handling (see `lambda_function.py`) and no SQL rules (see `sql_guard.py`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import bedrock
import data_api
import jsonlog
import prompts
import sql_guard

PLAN_MAX_TOKENS = 400
ANSWER_MAX_TOKENS = 700
MAX_PLAN_CHARS = 8000   # 400 tokens are well under this; a longer reply is not a plan
MAX_PLAN_DEPTH = 4      # the plan is one flat object; deeper nesting is refused before json parses it


class UnreadablePlan(ValueError):
    """The model's plan reply is too large, too deeply nested or holds no JSON object."""


@dataclass(frozen=True)
class Answer:
    answer: str
    data_source: str    # aurora_rds_data_api | general_advice | refused | query_failed
    question_type: str  # DATABASE_QUERY | GENERAL_ADVICE, as the original reported it


@dataclass(frozen=True)
class Plan:
    kind: str
    sql: object = None


def answer(question: str) -> Answer:
    plan = plan_for(question)
    if plan.kind != "database":
        text = bedrock.complete(prompts.ADVICE_SYSTEM, prompts.question_block(question), ANSWER_MAX_TOKENS, "advice")
        return Answer(text, "general_advice", "GENERAL_ADVICE")
    try:
        sql = sql_guard.guard(plan.sql)
    except sql_guard.SqlRefused as refusal:
        jsonlog.warning("sql_refused", reason=refusal.reason, chars=len(plan.sql) if isinstance(plan.sql, str) else None,
                        fingerprint=sql_guard.fingerprint(plan.sql) if isinstance(plan.sql, str) else None)
        return Answer(prompts.CANNOT_ANSWER, "refused", "DATABASE_QUERY")
    jsonlog.info("sql_accepted", shape=sql_guard.shape(sql), fingerprint=sql_guard.fingerprint(sql))
    try:
        rows = data_api.run_select(sql)
    except data_api.QueryFailed:
        return Answer(prompts.CANNOT_ANSWER, "query_failed", "DATABASE_QUERY")
    jsonlog.info("sql_rows", rows=len(rows))
    text = bedrock.complete(prompts.ANSWER_SYSTEM, prompts.rows_block(question, rows), ANSWER_MAX_TOKENS, "answer")
    return Answer(text, "aurora_rds_data_api", "DATABASE_QUERY")


def plan_for(question: str) -> Plan:
    reply = bedrock.complete(prompts.PLAN_SYSTEM, prompts.question_block(question), PLAN_MAX_TOKENS, "plan")
    try:
        found = first_json_object(reply)
    except UnreadablePlan as exc:
        jsonlog.warning("plan_unreadable", chars=len(reply), reason=str(exc))
        return Plan("advice")
    if found.get("kind") not in ("database", "advice"):
        jsonlog.warning("plan_unreadable", chars=len(reply), reason="no known kind")
        return Plan("advice")
    return Plan(found["kind"], found.get("sql"))


def first_json_object(text: str) -> dict:
    """The first JSON object in a model reply that may wrap it in prose or a code fence.

    Linear in the length of the reply: one scan finds each balanced `{...}` span (strings and
    escapes respected, nesting bounded by `MAX_PLAN_DEPTH`) and json parses only that span, so no
    reply makes it quadratic or lets the JSON decoder recurse deeply.
    """
    if len(text) > MAX_PLAN_CHARS:
        raise UnreadablePlan(f"the reply is longer than {MAX_PLAN_CHARS} characters")
    start = text.find("{")
    while start != -1:
        end = _balanced_end(text, start)
        try:
            value = json.loads(text[start:end])
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
        start = text.find("{", end)
    raise UnreadablePlan("the reply holds no JSON object")


def _balanced_end(text: str, start: int) -> int:
    """The index just past the bracket that closes the one at `start` (or the end of `text`)."""
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        char = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            if depth > MAX_PLAN_DEPTH:
                raise UnreadablePlan(f"the reply nests JSON more than {MAX_PLAN_DEPTH} deep")
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)
