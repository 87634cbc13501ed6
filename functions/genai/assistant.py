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
    found = first_json_object(reply)
    if found is None or found.get("kind") not in ("database", "advice"):
        jsonlog.warning("plan_unreadable", chars=len(reply))
        return Plan("advice")
    return Plan(found["kind"], found.get("sql"))


def first_json_object(text: str) -> dict | None:
    """The first JSON object in a model reply that may wrap it in prose or a code fence."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None
