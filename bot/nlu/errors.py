"""Errors of the NLU client."""


class NluError(Exception):
    """Base class: the message could not be understood for a technical reason."""


class NluUnavailable(NluError):
    """No model can be used: it is missing, still loading past its deadline, or its host died."""


class NluParseError(NluError):
    """The model host answered, but not with a parse of this message."""
