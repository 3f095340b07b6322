"""The overlay rule, used by `extends:`, `--set`, `derive` and the customs defaults."""
from __future__ import annotations

import copy
from collections.abc import Mapping


def merge(base: Mapping, over: Mapping) -> dict:
    """`over` laid over `base`: mappings merge key by key, lists and scalars replace, and a key
    set to null is removed (a flow, a caravan or a setting of the base that the overlay does not
    have; a setting removed takes its default).

    The result shares nothing mutable with either argument.
    """
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
