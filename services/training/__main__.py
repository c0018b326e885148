"""`python -m services.training [run|migrate|asyncapi|load-reference|load-sample]`."""

import sys

from services.training.bootstrap import definition
from shared.runtime.cli import main

sys.exit(main(definition))
