"""`python -m services.training [run|migrate|asyncapi|load-reference|load-sample]`."""

import sys

from services.training.bootstrap import definition
from services.training.tools import TOOLS, run_tool
from shared.runtime.cli import main

if len(sys.argv) > 1 and sys.argv[1] in TOOLS:
    sys.exit(run_tool(definition(), sys.argv[1]))
sys.exit(main(definition))
