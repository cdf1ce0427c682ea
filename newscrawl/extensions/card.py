"""Write the dataset card, ``<feed stem>.card.md``, beside the run's output.

:class:`DatasetCard` (``EXTENSIONS``, after ``RunHealth``) writes
:func:`newscrawl.monitoring.card.build_card` of the run at ``spider_closed``. Needs
:class:`~newscrawl.extensions.monitor.RunMonitor`.
"""

from __future__ import annotations

from scrapy import Spider

from newscrawl.extensions.monitor import RunMonitor
from newscrawl.extensions.sidefile import RunSideFile
from newscrawl.monitoring.card import build_card
from newscrawl.monitoring.files import CARD_SUFFIX


class DatasetCard(RunSideFile):
    """At ``spider_closed``: the Markdown card beside the output."""

    what = "dataset card"
    switch = "NEWSCRAWL_CARD_ENABLED"
    uri_setting = "NEWSCRAWL_CARD_URI"
    suffix = CARD_SUFFIX

    def render(self, monitor: RunMonitor, spider: Spider) -> str:
        return build_card(monitor.run_data(spider))
