"""Errors a user can act on, each with its own exit code.

Every failure that comes from the input (not from a bug) is raised as a
:class:`RunformError` subclass whose message says what is wrong and what to
do. The CLI prints the message and exits with the class's ``exit_code``.

Exit codes (documented in the README):

==  ===========================================================
0   analysis written
2   command-line usage error (unknown option, bad value)
3   input file unreadable: missing, corrupt, not a video, no frames
4   no usable runner: nobody in view, too dark, runner left the frame
5   the clip is not analysable as running from the side:
    front/back view, walking, fewer than 3 strides
6   the results cannot be written: read-only folder, no permission,
    full disk
1   unexpected internal error (a bug: please report it)
==  ===========================================================
"""


class RunformError(Exception):
    """Base class: an input problem explained in plain words. The words may name settings
    (``words.opt``): ``message`` and ``hint`` say them as the command line does, ``said(front)``
    as another front end does."""

    exit_code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.raw = (message, hint)

    @property
    def message(self) -> str:
        return self.said()[0]

    @property
    def hint(self) -> str:
        return self.said()[1]

    def said(self, front: str = "cli") -> tuple[str, str]:
        from .words import say

        return say(self.raw[0], front), say(self.raw[1], front)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class UsageError(RunformError):
    exit_code = 2


class InputFileError(RunformError):
    exit_code = 3


class NoRunnerError(RunformError):
    exit_code = 4


class NotAnalysableError(RunformError):
    exit_code = 5


class OutputError(RunformError):
    """The results cannot be written where the user asked (their situation, not a bug)."""

    exit_code = 6
