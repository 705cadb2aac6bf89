"""The supervisor's switch: closing a loop or the whole line now, and reopening."""
