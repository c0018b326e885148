"""`python -m services.notify [run|migrate|asyncapi]`."""

import sys

from services.notify.bootstrap import definition
from shared.runtime.cli import main

sys.exit(main(definition))
