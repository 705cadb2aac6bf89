"""Ops: metrics, the wallboard, leadership between two engines."""
