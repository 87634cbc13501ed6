"""What the platform costs: `python -m tools.cost` (see docs/cost.md). The design ladder calls
`monthly_difference(before_dir, after_dir, env) -> (total_delta, per-resource deltas)`."""
from tools.cost.compare import ResourceDelta, monthly_difference

__all__ = ["ResourceDelta", "monthly_difference"]
