import sys

from zhclean.cli import main

sys.exit(main())
