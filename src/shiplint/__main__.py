"""``python -m shiplint``.

``-m`` puts the current directory first on ``sys.path``; when shiplint runs inside a scanned
repository, a module of that repository (a ``click.py``, a ``json.py``…) could then shadow one
that shiplint imports later and be executed.  The entry is dropped before anything else loads.
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from shiplint.client import main  # noqa: E402

if __name__ == "__main__":  # pragma: no cover
    main()
