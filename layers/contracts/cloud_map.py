"""The contract of 05-cloud-map: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("05-cloud-map", "cloud_map", (
    Output("namespace_id", Shape.STRING, "Private DNS namespace ID"),
    Output("namespace_name", Shape.STRING, "Private DNS namespace name"),
    Output("service_ids", Shape.MAP, "Service IDs by service name"),
    Output("service_arns", Shape.MAP, "Service ARNs by service name"),
    Output("service_dns_names", Shape.MAP, "DNS name of each microservice"),
))
