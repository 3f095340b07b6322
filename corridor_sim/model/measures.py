"""The measures a world builds, in the order they are built and wired into each control.

Each is a `measure.Measure` of its own module: AEO recognition (`aeo.py`), pre-clearing from
advance data (`preclear.py`), green lanes by regime (`priority_lanes.py`), joint control
(`joint.py`), scanners (`scanners.py`), information exchange (`exchange.py`), post-clearance
audit (`audit.py`) and road permits (`permits.py`). The world goes through `MECHANISMS` and names
none of them; what each adds to the outputs is declared in `corridor_sim/measures/`. A new measure
is a module here, its place in this list, its scenario section and its tests.
"""
from __future__ import annotations

from .aeo import AeoMeasure
from .audit import AuditMeasure
from .exchange import ExchangeMeasure
from .joint import JointControlMeasure
from .permits import PermitMeasure
from .preclear import PreclearMeasure
from .priority_lanes import PriorityLaneMeasure
from .scanners import ScannerMeasure

# The order matters where two measures touch the same thing: the exchange's adjuster before the
# audit's (what the last country sent changes a verdict before the audit screen decides whether
# a selection is released to audit instead).
MECHANISMS = (AeoMeasure, PreclearMeasure, PriorityLaneMeasure, JointControlMeasure, ScannerMeasure,
              ExchangeMeasure, AuditMeasure, PermitMeasure)
