"""Environment settings: the data in `envs/`, loaded into typed, immutable objects."""
from settings.load import ConfigError, known_environments, load_environment, selected_environment
from settings.model import Environment, Network, Security, StateBackend

__all__ = ["ConfigError", "Environment", "Network", "Security", "StateBackend", "known_environments",
           "load_environment", "selected_environment"]
