"""Promises made to callers: callbacks and inquiries, one engine and one store for both."""
