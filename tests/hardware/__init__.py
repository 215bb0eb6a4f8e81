"""Tests of naslab.hardware (notebook 08: hardware-aware NAS)."""
