"""`python -m tools.design`: see tools/design/cli.py."""
import sys

from tools.design.cli import main

sys.exit(main())
