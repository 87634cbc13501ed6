"""Environment settings: the data in `envs/`, loaded into typed, immutable objects (one module per
section, `Environment` in `settings/model.py` composing them)."""
from settings.load import ConfigError, known_environments, load_environment, selected_environment
from settings.model import Environment
from settings.network import Network
from settings.security import Security
from settings.state import StateBackend

__all__ = ["ConfigError", "Environment", "Network", "Security", "StateBackend", "known_environments",
           "load_environment", "selected_environment"]
