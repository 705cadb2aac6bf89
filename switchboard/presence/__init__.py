"""Presence: when each agent is busy, as their calendars say. Feeds the router's policy."""
