import sys

from respcheck.cli import main

sys.exit(main())
