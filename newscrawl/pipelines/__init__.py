"""Item pipelines, one concern per module.

Every pipeline drops an item by raising :class:`~newscrawl.rejects.Rejected` (re-exported
here), so the rejects feed can recover the reason and the kept article's id.
"""

from __future__ import annotations

from newscrawl.rejects import Rejected

__all__ = ["Rejected"]
