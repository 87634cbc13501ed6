"""§8.4 read on the task definitions: no container command prints a credential to its log (D20)."""
from __future__ import annotations

import json
import re

from tools.design.checks import check
from tools.design.checks.finders import containers
from tools.design.checks.primitives import every, fixture
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, failed, passed

APP = "07-application"
# AWS CLI calls whose output is a credential.
PRINTS_A_CREDENTIAL = re.compile(r"get-login-password|get-secret-value|get-parameters?\b[^&|;]*--with-decryption")
ENTRY_POINT = fixture((APP, "aws_ecs_task_definition.vets", {"container_definitions": json.dumps([
    {"name": "vets", "image": "vets:latest"}])}))
SELF_TEST = fixture((APP, "aws_ecs_task_definition.vets", {"container_definitions": json.dumps([
    {"name": "vets", "command": ["/bin/sh", "-c", "aws ecr get-login-password --region us-west-2 && exec java -jar app.jar"]}])}))
HARMLESS_COMMAND = fixture((APP, "aws_ecs_task_definition.vets", {"container_definitions": json.dumps([
    {"name": "vets", "command": ["java", "-jar", "app.jar"]}])}))
NOTHING = fixture((APP, "aws_ecs_cluster.cluster", {"name": "c"}))


@check("D20", passing=[ENTRY_POINT, HARMLESS_COMMAND], failing=[SELF_TEST, NOTHING])
def no_credential_in_logs(stacks: Stacks) -> Verdict:
    def judge(task: Block) -> Verdict:
        found = containers(task)
        if not found:
            return failed(f"{task.where}: container definitions cannot be read")
        printing = [c.get("name", "?") for c in found if PRINTS_A_CREDENTIAL.search(" ".join(map(str, c.get("command") or [])))]
        if printing:
            return failed(f"{task.where}: the command of {', '.join(printing)} prints a credential to the log")
        return passed(f"{task.where}: no command prints a credential")
    return every(stacks.resources("aws_ecs_task_definition"), "aws_ecs_task_definition", judge)
