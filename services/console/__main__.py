"""`python -m services.console [run|migrate|asyncapi|create-account …]`."""

import sys

from services.console.bootstrap import definition
from shared.runtime.cli import main

# create-account reads its own options (--username, --role…); the common command line knows only its name.
argv = sys.argv[1:2] if sys.argv[1:2] == ["create-account"] else None
sys.exit(main(definition, argv))
