"""`python tools/e2e/moto_launch.py [--hosted-zone NAME=ID ...] -- MOTO_SERVER_ARGS`: moto.server, with
the ids some objects must have registered first (moto's own custom-id manager, which only a process
that imports moto can reach: no moto-api route sets one).

A Route 53 hosted zone that an environment's settings name by id (application.alb.hosted_zone_id)
exists in the real account before the first apply, made by the team; moto gives every new zone a random
id, so the zone the run seeds (tools/e2e/account.py) gets the settings' id here, and the stacks run as
synthesized.

API Gateway's UpdateMethod has no handler in moto (it answers 500, which the provider retries for ten
minutes): an update of a method's settings in place, such as `api_key_required` when
`aws_native.require_api_key` turns on, could not be applied. `add_update_method` gives moto one, for
the settings a method holds as flat values and for its request parameters; any other path is refused
with AWS's BadRequestException. moto's Lambda UpdateFunctionConfiguration drops TracingConfig (only
CreateFunction keeps it), so turning X-Ray on for a deployed function planned the same update again;
`keep_lambda_tracing` makes it keep the mode. Run by path, not `-m`: it needs nothing of this repository but moto.
"""
from __future__ import annotations

import argparse
import sys


def register_hosted_zones(zones: list[str]) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.route53.models import HostedZoneIdentifier
    from moto.utilities.id_generator import moto_id_manager

    for zone in zones:
        name, zone_id = zone.split("=", 1)
        fqdn = name if name.endswith(".") else f"{name}."   # moto names zones with the final dot
        moto_id_manager.set_custom_id(HostedZoneIdentifier(DEFAULT_ACCOUNT_ID, fqdn, None), zone_id)


METHOD_FIELDS = {"/apiKeyRequired": "api_key_required", "/authorizationType": "authorization_type",
                 "/authorizerId": "authorizer_id", "/operationName": "operation_name",
                 "/requestValidatorId": "request_validator_id"}


def apply_method_patch(method, operations: list[dict]) -> None:
    """AWS's patch operations on a method (moto's `Method`), as UpdateMethod applies them."""
    from moto.apigateway.exceptions import BadRequestException

    for op in operations:
        path, kind, value = op.get("path", ""), op.get("op"), op.get("value")
        if path in METHOD_FIELDS and kind == "replace":
            setattr(method, METHOD_FIELDS[path], value.lower() == "true" if path == "/apiKeyRequired" else value)
        elif path.startswith("/requestParameters/") and kind in ("add", "replace", "remove"):
            parameters = dict(method.request_parameters or {})
            name = path.split("/", 2)[2]
            if kind == "remove":
                parameters.pop(name, None)
            else:
                parameters[name] = str(value).lower() == "true"
            method.request_parameters = parameters
        else:
            raise BadRequestException(f"Invalid patch path '{path}' for operation '{kind}'")


def add_update_method() -> None:
    import json

    from moto.apigateway.responses import APIGatewayResponse

    def update_method(self) -> str:
        _, _, function_id, _, resource_id, _, method_type = self.path.split("/")[:7]
        method = self.backend.get_method(function_id, resource_id, method_type)
        apply_method_patch(method, self._get_param("patchOperations") or [])
        return json.dumps(method.to_json())

    APIGatewayResponse.update_method = update_method


def keep_lambda_tracing() -> None:
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.update_configuration
    if getattr(original, "keeps_tracing", False):
        return

    def update_configuration(self, config_updates: dict) -> dict:
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"]
        return original(self, config_updates)

    update_configuration.keeps_tracing = True
    LambdaFunction.update_configuration = update_configuration


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="moto_launch")
    parser.add_argument("--hosted-zone", action="append", default=[], metavar="NAME=ID")
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    register_hosted_zones(args.hosted_zone)
    add_update_method()
    keep_lambda_tracing()
    from moto.server import main as serve

    serve(argv[split + 1:])


if __name__ == "__main__":
    main(sys.argv[1:])
