"""Layer 07-application: declared outputs only, until the layer is ported (issue 18).

02-security reads `alb_security_group_id` from this layer's state when ALB integration is on; the
declaration below is what that read is checked against. The names are the original layer's (the
inventory), plus `alb_security_group_id`, which the original never exported.
"""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("07-application", "application", (
    Output("alb_security_group_id", Shape.STRING, "Security group of the application load balancer"),
))
