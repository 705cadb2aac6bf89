"""Switchboard: wiring, configuration and the command line.

The one place that builds everything; nothing connects at import time.
"""
