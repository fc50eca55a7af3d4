"""Settings for Signaal.

``base`` reads everything from the environment; ``dev``, ``test`` and ``production`` only
choose defaults. See docs/architecture.md for the variables.
"""
