"""The agent screen: greeting, caller card, record checks, identity check, presence board."""
