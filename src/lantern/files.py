"""Files Lantern creates are readable by their owner only.

The data folder holds ads, images, the linker's state, exports and backups: evidence about vulnerable
people, some of it personal data. The ``lantern`` command runs with umask 077 (:func:`owner_only`), so every
file and folder it creates is ``rw-------``/``rwx------`` whatever the shell's umask; the data folder itself
is made ``rwx------`` when Lantern creates it (:func:`private_folder`). The systemd units and the container
image set ``UMask=0077`` as well, for servers started some other way.
"""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o077


def owner_only() -> None:
    """Make every file this process creates from now on readable by its owner only (POSIX umask)."""
    if os.name == "posix":
        os.umask(OWNER_ONLY)


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed; a folder Lantern creates is ``rwx------``."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            path.chmod(0o700)
    return path
