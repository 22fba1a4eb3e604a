"""The shape every runform algorithm class has (the contract tests check it):

- parameters are keyword-only constructor arguments with defaults, kept as
  attributes of the same name, and ``get_params()`` returns them (recorded in
  summary.json, so a result says which settings made it);
- the action method (``detect``) returns ``self``;
- its results are attributes whose names end in ``_`` (``events_``), set only
  by the action.
"""

from __future__ import annotations

import inspect


class Algorithm:
    def get_params(self) -> dict:
        sig = inspect.signature(type(self).__init__)
        return {n: getattr(self, n) for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}
