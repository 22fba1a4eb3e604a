"""The shape every runform algorithm class has (the contract tests check it):

- parameters are keyword-only constructor arguments with defaults, kept as
  attributes of the same name, and ``get_params()`` returns them (recorded in
  summary.json, so a result says which settings made it);
- the action method (``detect``) returns ``self``;
- its results are attributes whose names end in ``_`` (``events_``), set only
  by the action.
"""

from __future__ import annotations

import dataclasses


class Algorithm:
    """Subclasses are ``@dataclasses.dataclass(kw_only=True)``: their fields are the parameters."""

    def get_params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def recorded(self) -> dict:
        """The instance as summary.json's ``parameters`` records the one that ran: its class and parameters."""
        return {"detector": type(self).__name__, **self.get_params()}
