"""Ops: metrics, the tally behind them and the wallboard."""
