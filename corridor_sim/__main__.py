"""`python -m corridor_sim` is `corridor-sim`."""
from .cli import entry

if __name__ == "__main__":
    entry()
