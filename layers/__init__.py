"""The layer stacks, in deploy order. Only fully ported layers are listed: an empty or partial stack
deployed on an original state key would destroy that layer."""
from __future__ import annotations

from constructs import Construct

from layers.base import LayerStack
from layers.cloud_map import CloudMapStack
from layers.database import DatabaseStack
from layers.lambda_genai import LambdaGenaiStack
from layers.network import NetworkStack
from layers.parameter_store import ParameterStoreStack
from layers.security import SecurityStack
from settings import Environment

LAYERS: tuple[type[LayerStack], ...] = (
    NetworkStack,
    SecurityStack,
    DatabaseStack,
    ParameterStoreStack,
    CloudMapStack,
    LambdaGenaiStack,
)


def build_stacks(scope: Construct, env: Environment) -> list[LayerStack]:
    return [layer(scope, env) for layer in LAYERS]
