"""Messages name the settings a user can change, not one front end's controls.

A message holds ``opt("height")`` where it refers to a setting: a marker, not a
command-line option. Each front end says the message in its own words when it
shows it (``say``): the command line names its option (``--height``), the web
app the field of its upload form, or, for a setting the app does not offer,
says so. Adding a front end is adding a column of words here.
"""

from __future__ import annotations

import re

FRONT_ENDS = ("cli", "browser")


def _cli_only(name: str) -> str:
    """The app's words for a setting it does not offer: the command line's, without dashes."""
    return f"runform's command-line setting “{name}{{v}}”"


# setting -> (the command line's words, the web app's words); "{v}" is where a value goes
SETTINGS = {
    "height": ("--height", "“Height (m)”"),
    "speed": ("--speed", "“Treadmill speed”"),
    "sex": ("--sex", "“Sex”"),
    "view": ("--view", "“View” (under the second view)"),
    "fps": ("--fps", "“Keypoints' frame rate”"),
    "static": ("--static", "“Static trial”"),
    "forces": ("--forces", "“Force file”"),
    "start": ("--start", "the start time{v} (trim the clip before uploading)"),
    "end": ("--end", "the end time{v}"),
    "start/end": ("--start/--end", "a trimmed clip (trim it before uploading)"),
    "out": ("--out", "another output folder"),
    "no-video": ("--no-video", "no annotated video"),
    **{name: (f"--{name}", _cli_only(name)) for name in (
        "vertical", "slowmo", "capture-fps", "columns", "units", "rate", "standing", "markers")},
}
_MARK = re.compile(r"⟦([\w/-]+)(?:=([^⟧]*))?⟧")


def opt(name: str, value: object = None) -> str:
    """The marker of setting ``name`` (with the value given to it) inside a message."""
    if name not in SETTINGS:
        raise KeyError(f"no setting named {name!r} in words.SETTINGS")
    return f"⟦{name}⟧" if value is None else f"⟦{name}={value}⟧"


def say(text: str, front: str = "cli") -> str:
    """A message in the words of front end ``front`` (``FRONT_ENDS``)."""
    if "⟦" not in text:
        return text
    column = FRONT_ENDS.index(front)

    def word(m: re.Match) -> str:
        words, value = SETTINGS[m.group(1)][column], m.group(2)
        if "{v}" in words:
            return words.replace("{v}", f" {value}" if value is not None else "")
        return f"{words} {value}" if value is not None else words

    return _MARK.sub(word, text)


def say_all(x, front: str = "cli"):
    """Every message in ``x`` (a summary: texts in dicts and lists) in ``front``'s words."""
    return map_texts(x, lambda text: say(text, front))


def map_texts(x, fn):
    """``x`` with ``fn`` applied to every text in it, through dicts and lists (keys untouched)."""
    if isinstance(x, str):
        return fn(x)
    if isinstance(x, dict):
        return {k: map_texts(v, fn) for k, v in x.items()}
    if isinstance(x, list):
        return [map_texts(v, fn) for v in x]
    return x
