"""newscrawl: the Kangnam Times Japanese edition as clean JSON Lines."""

__version__ = "0.1.0"
