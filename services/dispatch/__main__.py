"""`python -m services.dispatch [run|migrate|asyncapi]`."""

import sys

from services.dispatch.bootstrap import definition
from shared.runtime.cli import main

sys.exit(main(definition))
