"""The caller's menu: which key leads to which loop, in which language."""
