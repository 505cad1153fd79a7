"""The error every source raises for bad input: one line for the user, exit 2."""


class InputError(Exception):
    """Bad input (a file, a flag, a credential). ``str()`` is the whole message."""
