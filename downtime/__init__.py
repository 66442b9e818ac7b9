"""Downtime continuity toolkit: keeps a hospital's wards working while its HMIS is down."""

__version__ = "0.1.0"
