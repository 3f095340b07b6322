"""The corridor model in SimPy: one replication is `simulate(scenario, replication)`."""
from ..lazy import lazy_exports

__all__ = ["simulate", "World", "ReplicationResult", "COMPONENTS"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "simulate": ".world", "World": ".world", "ReplicationResult": ".records", "COMPONENTS": ".truck",
})
