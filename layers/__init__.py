"""The layer stacks: `LAYERS` is the one list of them, in no particular order (`python -m tools.graph`
computes the deploy order from their remote-state reads). Only complete layers are listed: an empty or
partial stack deployed on an original state key would destroy that layer. Each stack declares its
outputs in its contract (`layers/contracts/`), which is all another layer imports of it.
"""
from __future__ import annotations

from constructs import Construct

from layers.api_gateway import ApiGatewayStack
from layers.application import ApplicationStack
from layers.aws_native import AwsNativeStack
from layers.base import LayerStack
from layers.bootstrap import BootstrapStack
from layers.cloud_map import CloudMapStack
from layers.database import DatabaseStack
from layers.frontend import FrontendStack
from layers.lambda_genai import LambdaGenaiStack
from layers.monitoring import MonitoringStack
from layers.network import NetworkStack
from layers.notification import NotificationStack
from layers.outputs import LayerOutputs
from layers.parameter_store import ParameterStoreStack
from layers.security import SecurityStack
from settings import Environment

LAYERS: tuple[type[LayerStack], ...] = (
    BootstrapStack,
    NetworkStack,
    SecurityStack,
    DatabaseStack,
    ParameterStoreStack,
    CloudMapStack,
    LambdaGenaiStack,
    ApplicationStack,
    ApiGatewayStack,
    AwsNativeStack,
    MonitoringStack,
    FrontendStack,
    NotificationStack,
)


def declared_outputs() -> dict[str, LayerOutputs]:
    """Each layer's declared outputs, by layer name (every read is held to these)."""
    return {layer.layer: layer.outputs for layer in LAYERS}


def build_stacks(scope: Construct, env: Environment) -> list[LayerStack]:
    return [layer(scope, env) for layer in LAYERS]
