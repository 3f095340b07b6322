"""corridor-sim: discrete-event simulation of road freight on the Middle Corridor."""
__version__ = "0.1.0"
