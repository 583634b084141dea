"""Reproducible performance runs; each module prints its figures. Not part of `make test`."""
