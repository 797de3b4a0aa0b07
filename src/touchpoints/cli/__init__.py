"""The ``touchpoints`` command line."""
