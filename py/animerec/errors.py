"""The error every reader of visitor input raises (here, so the readers can import it without
importing each other)."""


class ProfileParseError(ValueError):
    """The input is not a profile we can read; `str(err)` is the visitor-facing explanation."""
