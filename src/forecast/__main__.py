"""``python -m forecast``: the same as the ``forecast`` command."""

import sys

from forecast.cli import main

sys.exit(main())
