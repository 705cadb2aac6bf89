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
