"""The contract of 00-bootstrap: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("00-bootstrap", "bootstrap", (
    Output("tfstate_bucket_name", Shape.STRING, "Name of the Terraform state bucket"),
    Output("tfstate_bucket_arn", Shape.STRING, "ARN of the Terraform state bucket"),
    Output("s3_native_locking_enabled", Shape.BOOL, "The layers lock their states with S3 native locking"),
))
