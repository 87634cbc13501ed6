"""The versions the speed machinery was written for, in one place: any other version of jsii or of the
provider bindings gets the stock load (with one warning naming which)."""
from __future__ import annotations

JSII = "1.142.0"                      # the kernel's direct start (`speed.kernel`)
PROVIDER = "21.22.1"                  # the lazy submodule imports and the derived tarball
PROVIDER_DISTRIBUTION = "cdktf-cdktf-provider-aws"
PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
PROVIDER_ASSEMBLY = "@cdktf/provider-aws"
PROVIDER_TARBALL = f"provider-aws@{PROVIDER}.jsii.tgz"
PROVIDER_TARBALL_SHA256 = "d1446ab6ac6526c6fab4b28a5ebefdd90c0ce56203949925d35a4d286c05cbbf"
PROVIDER_SUBMODULES = 2212            # `exports.x = require("./x")` lines in the tarball's lib/index.js
