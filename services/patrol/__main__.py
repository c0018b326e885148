"""`python -m services.patrol [run|migrate|asyncapi]`."""

import sys

from services.patrol.bootstrap import definition
from shared.runtime.cli import main

sys.exit(main(definition))
