"""The one id pattern: what an id of a region, rule, parameter or agreement may be.

Ids name files (an agreement id is the name of its YAML file), so the same check guards
every path made from what a file says (:mod:`fiscal.files.paths`) and every model's id
field (:mod:`fiscal.rules.types`). It imports nothing, so every layer may use it.
"""

from __future__ import annotations

import re

ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"
ID_MAX_LENGTH = 80
_ID = re.compile(ID_PATTERN)

ID_RULE = "lowercase letters, digits, '_' and '-', starting with a letter or digit"


def is_id(text: object) -> bool:
    """Whether ``text`` is an id the models allow (and so a safe file name)."""
    return isinstance(text, str) and len(text) <= ID_MAX_LENGTH and bool(_ID.fullmatch(text))
