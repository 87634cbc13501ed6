"""The layer stacks and the output declarations of every layer.

`LAYERS` holds the fully ported layers (in no particular order: `python -m tools.graph` computes the
deploy order from their remote-state reads). Only complete layers are listed: an empty or partial
stack deployed on an original state key would destroy that layer. `DECLARED_OUTPUTS` holds the
output declaration of every layer the stacks read, so the cross-layer check can hold every read to it.
"""
from __future__ import annotations

from constructs import Construct

from layers import (
    api_gateway,
    application,
    aws_native,
    bootstrap,
    cloud_map,
    database,
    frontend,
    lambda_genai,
    monitoring,
    network,
    notification,
    parameter_store,
    security,
)
from layers.base import LayerStack
from layers.outputs import LayerOutputs
from settings import Environment

LAYERS: tuple[type[LayerStack], ...] = (
    bootstrap.BootstrapStack,
    network.NetworkStack,
    security.SecurityStack,
    database.DatabaseStack,
    parameter_store.ParameterStoreStack,
    cloud_map.CloudMapStack,
    lambda_genai.LambdaGenaiStack,
    application.ApplicationStack,
    api_gateway.ApiGatewayStack,
    aws_native.AwsNativeStack,
    monitoring.MonitoringStack,
    frontend.FrontendStack,
    notification.NotificationStack,
)

DECLARED_OUTPUTS: dict[str, LayerOutputs] = {
    declaration.layer: declaration
    for declaration in (bootstrap.OUTPUTS, network.OUTPUTS, security.OUTPUTS, database.OUTPUTS, parameter_store.OUTPUTS,
                        cloud_map.OUTPUTS, lambda_genai.OUTPUTS, application.OUTPUTS, api_gateway.OUTPUTS,
                        aws_native.OUTPUTS, monitoring.OUTPUTS, frontend.OUTPUTS, notification.OUTPUTS)
}


def build_stacks(scope: Construct, env: Environment) -> list[LayerStack]:
    return [layer(scope, env) for layer in LAYERS]
