"""The overlay rule, used by `extends:`, `--set`, `derive` and the customs defaults."""
from __future__ import annotations

import copy
from collections.abc import Mapping


def merge(base: Mapping, over: Mapping) -> dict:
    """`over` laid over `base`: mappings merge key by key, lists and scalars replace.

    The result shares nothing mutable with either argument.
    """
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
