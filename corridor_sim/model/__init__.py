"""The corridor model in SimPy: one replication is `simulate(scenario, replication)`."""
from .records import ReplicationResult
from .truck import COMPONENTS
from .world import World, simulate

__all__ = ["simulate", "World", "ReplicationResult", "COMPONENTS"]
