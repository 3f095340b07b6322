"""File modes as the user's umask sets them, for files the program makes under temporary names.

`tempfile.mkstemp` and `mkdtemp` create owner-only files and directories; a run directory or an
animation renamed into place from one would be unreadable by colleagues on a shared server.
"""
from __future__ import annotations

import os


def as_created(mode: int) -> int:
    """`mode` as the umask leaves it: what a file or directory created the ordinary way gets."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask
