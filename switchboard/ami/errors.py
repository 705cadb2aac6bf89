"""Errors raised by the AMI client; each message says what happened and where."""


class AmiError(Exception):
    """Base for everything the AMI client raises."""


class ProtocolError(AmiError):
    """The peer does not speak AMI as Asterisk does (e.g. no banner)."""


class AuthenticationFailed(AmiError):
    """Asterisk refused the Login (wrong user or secret, or not permitted from here)."""


class ActionFailed(AmiError):
    """Asterisk answered an action with `Response: Error`; `message` is its text."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"{action} failed: {message}")
        self.action = action
        self.message = message


class ActionTimeout(AmiError):
    """No complete reply arrived within the action's deadline."""


class ConnectionLost(AmiError):
    """The connection closed or was declared dead; pending actions are abandoned, not replayed."""


class NotConnected(AmiError):
    """An action was asked for while there is no logged-in connection; it is not queued."""


# Why Asterisk answers a Login with "Authentication failed" on a fresh install, most likely
# first (the engine logs these; `switchboard asterisk-check` repeats them).
REFUSED_CAUSES = (
    "the secret in ${env} is not the one in Asterisk's "
    "/etc/asterisk/switchboard/manager-{user}-secret.conf",
    "Asterisk did not load the user [{user}]: an #include it could not find makes it reject "
    "all of manager.conf (its log says 'was listed as a #include but it does not exist'; "
    "`asterisk -rx 'manager show users'` lists the users it has)",
    "this host's address is not in the user's permit = lines (SWITCHBOARD_AMI_PERMIT when "
    "generating)",
    "Asterisk was not reloaded since the files changed: asterisk -rx 'manager reload'",
)


def refused_hint(user: str, env: str) -> str:
    """The likely causes of a refused login, most likely first (the engine logs the same)."""
    causes = "; ".join(
        f"({i}) {c.format(user=user, env=env)}" for i, c in enumerate(REFUSED_CAUSES, 1)
    )
    return f"likely causes, most likely first: {causes}. Run `switchboard asterisk-check -c CONFIG`"
