"""The project's tools (`python -m tools.<name>`); importing the speed package gives each the
environment every entry point shares (`speed.ENVIRONMENT`)."""
import speed  # noqa: F401
