"""Layer 08-api-gateway: declared outputs only, until the layer is ported (issue 19).

11-frontend reads `api_gateway_invoke_url` from this layer's state; the declaration below (names and
shapes from the inventory) is what that read is checked against.
"""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("08-api-gateway", "api_gateway", (
    Output("api_gateway_invoke_url", Shape.STRING, "Invoke URL of the stage"),
))
