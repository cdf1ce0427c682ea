"""The project's ``scrapy`` commands (``COMMANDS_MODULE``): ``crawl`` and ``runspider`` with an
exit status a scheduler can trust. Both run the crawl through :class:`VerdictRun`."""
