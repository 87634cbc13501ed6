"""Bad API Gateway data (08, 09) stops the app with one line naming the file and the field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from settings import ConfigError, load_environment
from tests.conftest import ROOT

BAD = [
    # (text appended to dev.toml, field named, words in the message)
    ('[api_gateway.services.vets]\nroutes = [{ path = "specialties/{id", methods = ["GET"] }]\n',
     "api_gateway.services.vets.routes[0]", "neither a name nor a {variable}"),
    ('[api_gateway.services.vets]\nroutes = [{ path = "specialties", methods = ["GET", "GET"] }]\n',
     "api_gateway.services.vets.routes[0]", "lists a method twice"),
    ('[api_gateway.services.vets]\nroutes = [{ path = "specialties", methods = ["FETCH"] }]\n',
     "api_gateway.services.vets.routes[0].methods[0]", "'ANY'"),
    ('[api_gateway.services.genai]\nroutes = [{ path = "ask", methods = ["POST"] }]\n',
     "api_gateway.services.genai", "only for ALB services"),
    ('[api_gateway.services.billing]\nparent = "root"\ntarget = "ecs"\ndescription = "x"\n',
     "api_gateway.services.billing.target", "'alb' or 'lambda'"),
    ("[api_gateway.waf]\nsqli_priority = 1\n", "api_gateway.waf", "priorities must differ"),
    ("[api_gateway]\nthrottle_burst_limit = 10\n", "api_gateway.throttle_burst_limit", "below"),
    ("[api_gateway]\nintegration_timeout_ms = 30000\n", "api_gateway.integration_timeout_ms", "29000"),
    ('[aws_native]\ngenai_parent_resource_id = "root"\n', "aws_native.genai_parent_resource_id", "pattern"),
]


@pytest.mark.parametrize("appended,field,words", BAD, ids=[f"{c[1]}:{c[2]}" for c in BAD])
def test_bad_api_data_names_the_file_and_the_field(tmp_path: Path, appended: str, field: str, words: str):
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    with (envs / "dev.toml").open("a") as f:
        f.write("\n" + appended)
    with pytest.raises(ConfigError) as raised:
        load_environment("dev", envs)
    assert raised.value.field == field, str(raised.value)
    assert words in str(raised.value) and "dev.toml" in str(raised.value)

