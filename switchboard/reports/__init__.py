"""Reports from Asterisk's own record (queue_log) and the promise store, in SQL."""
