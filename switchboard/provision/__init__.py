"""Getting a real Asterisk ready: install beside its config, check it over AMI, prompts."""
