"""Scrapy settings for newscrawl.

Scrapy's own settings first, then the project's, all prefixed ``NEWSCRAWL_``. This file is the
only place a default is written: each component reads (and checks) its settings once, with the
typed readers of :mod:`newscrawl.config`. Every setting is documented in the README, whose
tables a test compares with this file. Defaults are polite for the live site; the replica and
mirrors are crawled faster by passing ``-s`` overrides (``make demo`` does).

Names say their kind and unit: on/off switches end in ``_ENABLED``, file locations in ``_PATH``
(a local file) or ``_URI`` (a feed URI), durations in ``_SECONDS``, ``_HOURS`` or ``_DAYS``.
"""

from __future__ import annotations

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# --- Being a good guest (live-site defaults) -------------------------------------------------
NEWSCRAWL_CONTACT = "https://github.com/newscrawl/newscrawl"
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT})"  # follows NEWSCRAWL_CONTACT (add-on)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's callback output (the limit
# is per response: scrapy/scrapy#6852); the default 100 cost about 0.6 ms a page, a fifth of a
# fetch-only crawl. A page yields one article and some twenty requests, none of them waiting.
CONCURRENT_ITEMS = 8
# Requests waiting in the scheduler kept pickled (~430 bytes each instead of ~1.1 KB of objects):
# a crawl discovers articles faster than it fetches them (newscrawl/squeues.py).
SCHEDULER_MEMORY_QUEUE = "newscrawl.squeues.PickledLifoMemoryQueue"
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# A crawl from cron listens on no port: Scrapy's remote control is off.
REMOTE_CONTROL_ENABLED = False

# --- Faults and retries (README "A hostile web") ---------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # a request that gives up is a reject, not a run error
REDIRECT_MAX_TIMES = 5
# A backstop against endless chains the URL rules cannot see (article links are a small world:
# the whole replica is 4 hops from the home page at 3,000 articles).
DEPTH_LIMIT = 50
# Waits between tries: NEWSCRAWL_RETRY_BACKOFF_SECONDS * 2**(try-1), capped by
# NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS, or the server's Retry-After when longer, capped by
# NEWSCRAWL_RETRY_AFTER_MAX_SECONDS. Taken on the reactor's clock.
NEWSCRAWL_RETRY_BACKOFF_SECONDS = 2.0
NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS = 60.0
NEWSCRAWL_RETRY_AFTER_MAX_SECONDS = 120.0

# --- Engine ----------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_CLASS = "newscrawl.fingerprint.ArticleFingerprinter"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "newscrawl.logformatter.LogFormatter"  # one line per scraped/dropped item

# --- Components ------------------------------------------------------------------------------
ADDONS = {
    "newscrawl.config.RenamedSettings": -10,  # first: the others read the new names
    "newscrawl.config.ContactUserAgent": 0,
    # Off unless NEWSCRAWL_REDIS_URL is set; before DefaultFeed (it makes the feed per worker).
    "newscrawl.distributed.addon.DistributedMode": -5,
    "newscrawl.feeds.DefaultFeed": 0,
    "newscrawl.rendering.JavaScriptRendering": 0,
}
SPIDER_MIDDLEWARES = {
    "newscrawl.middlewares.incremental.IncrementalSpiderMiddleware": 800,
    # Articles held until the crawl is idle, then released oldest first (dedupe keeps the
    # earliest member of a story). None here: articles delivered as parsed.
    "newscrawl.middlewares.hold.HoldMiddleware": 100,
    "newscrawl.extensions.limit.ArticleLimitMiddleware": 1040,
    "newscrawl.middlewares.seen.SeenArticlesMiddleware": 1050,  # first to see the spider's output
    # The last to be offered a callback's exception: one error line (and a reject), no traceback.
    "newscrawl.middlewares.failures.CallbackFailures": 20,
}
# Scrapy's middlewares extended (newscrawl/middlewares/): each in the place of the one it extends.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newscrawl.middlewares.guard.SiteOffsiteMiddleware": 50,
    "newscrawl.middlewares.guard.TrapMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.middlewares.guard.RobotsTxtRefusals": 100,
    "newscrawl.middlewares.incremental.IncrementalMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.retry.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.middlewares.guard.SizeLimitedCompression": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.guard.GuardedRedirectMiddleware": 600,
}
ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.clean.CleanPipeline": 200,
    "newscrawl.monitoring.pipeline.SchemaPipeline": 250,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.pipelines.state.StatePipeline": 900,
}
EXTENSIONS = {
    "newscrawl.extensions.lock.RunLock": 1,  # first: nothing opens before the lock is held
    "newscrawl.extensions.checks.ScrapySettingsCheck": 2,
    "newscrawl.extensions.rejectsfeed.RejectsFeed": 500,
    "newscrawl.extensions.summary.RunSummary": 510,
    "newscrawl.extensions.templates.SiteTemplates": 515,
    "newscrawl.extensions.state.CrawlStateKeeper": 520,
    "newscrawl.extensions.monitor.RunMonitor": 525,  # before RunHealth: it feeds the verdict
    "newscrawl.extensions.health.RunHealth": 530,
    "newscrawl.extensions.report.RunReport": 535,  # after RunHealth: shows the verdict
    "newscrawl.extensions.card.DatasetCard": 536,
    "newscrawl.extensions.alerts.RunAlerts": 540,  # after RunReport: links the report
    "newscrawl.extensions.limit.ArticleLimit": 545,
    "newscrawl.extensions.progress.RunProgress": 600,
}

# --- Items and feeds -------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
# FEEDS stays empty: Scrapy merges -o/-O with it, so a default here would be written next to
# every -O file. The DefaultFeed add-on (newscrawl/feeds.py) writes NEWSCRAWL_FEED_URI when
# neither FEEDS nor -o/-O names a feed.
NEWSCRAWL_FEED_URI = "output/%(name)s/%(time)s.jsonl"
# Every feed line is one os.write, and local feeds are written as <path>.part and renamed when
# they close (newscrawl/exporters.py): a killed run never leaves a partial line in a .jsonl.
FEED_EXPORTERS = {fmt: "newscrawl.exporters.AtomicJsonLinesItemExporter"
                  for fmt in ("jsonl-atomic", "jsonlines", "jsonl", "jl")}
FEED_STORAGES = {"": "newscrawl.exporters.StagedFileFeedStorage",
                 "file": "newscrawl.exporters.StagedFileFeedStorage"}
NEWSCRAWL_REJECTS_ENABLED = True
NEWSCRAWL_REJECTS_URI = ""  # empty: <feed stem>.rejects.jsonl beside the first local feed
NEWSCRAWL_SUMMARY_URI = ""  # empty: <feed stem>.summary.json
NEWSCRAWL_KEEP_OUTPUTS = 0  # keep the newest N output files and logs (0: all)

# --- Crawl policy ----------------------------------------------------------------------------
NEWSCRAWL_BASE_URL = "https://www.kangnamtimes.com/ja/"
NEWSCRAWL_HOST_ALIASES: list[str] = []
NEWSCRAWL_FOLLOW_BLOCKS = ["latest", "ranking", "related", "recommend", "topics", "sitemap"]
NEWSCRAWL_MAX_ARTICLES = 0

# --- Extraction ------------------------------------------------------------------------------
# The site template learned from the crawl's own pages (issue 13): kept between runs beside the
# state (empty path: <NEWSCRAWL_STATE_PATH without suffix>.templates.json).
NEWSCRAWL_TEMPLATE_ENABLED = True
NEWSCRAWL_TEMPLATE_PATH = ""
# Article pages parsed in this many worker processes (0: in the crawl process): for a machine
# with a core to spare (newscrawl/pages/workers.py).
NEWSCRAWL_PARSE_PROCESSES = 0
# A page's parse taking longer than this is stopped (in the crawl process interrupted, in a worker
# the worker stopped and the page tried alone) and the page rejected as parser_timeout (0: no
# limit).
NEWSCRAWL_PARSE_TIMEOUT_SECONDS = 30.0
# With parse processes: megabytes a worker may take above what it holds at start; a page that
# needs more is rejected as parser_failed (MemoryError) and the worker goes on (0: no cap).
NEWSCRAWL_PARSE_MEMORY_MB = 1024

# --- Cleaning --------------------------------------------------------------------------------
NEWSCRAWL_NFKC_ENABLED = False

# --- Dedupe ----------------------------------------------------------------------------------
NEWSCRAWL_DEDUPE_ENABLED = True
NEWSCRAWL_DEDUPE_SHINGLE_CHARS = 5  # characters per shingle (n-gram) of the normalised body
NEWSCRAWL_DEDUPE_THRESHOLD = 0.8  # estimated Jaccard similarity from which a body is a copy
NEWSCRAWL_DEDUPE_NUM_PERM = 128  # MinHash permutations (more: finer estimate, slower)
# With the state on, copies of stories written by earlier runs count too: the fingerprints of
# articles first seen within this many days are loaded at start (0: all; a full run loads none).
NEWSCRAWL_DEDUPE_WINDOW_DAYS = 14
# Hold articles on disk until the crawl is idle, then release them oldest first, so the original
# of a story is the one written whatever the crawl's order (HoldMiddleware). Off: delivered as
# parsed (streaming), and a copy met before its original may be written too.
NEWSCRAWL_DEDUPE_HOLD_ENABLED = True

# --- JavaScript rendering (newscrawl.rendering) -----------------------------------------------
# The add-on reads these after the spider arguments (-a js=1) and, only when
# NEWSCRAWL_JS_ENABLED is on, installs scrapy-playwright's download handler with Debian's
# Chromium. Off: no browser at all.
NEWSCRAWL_JS_ENABLED = False
NEWSCRAWL_CHROMIUM_PATH = ""  # empty: env NEWSCRAWL_CHROMIUM, else /usr/bin/chromium
NEWSCRAWL_JS_ON_MISSING = "fail"  # or "continue" (warning + stat, crawl without JavaScript)
NEWSCRAWL_JS_MAX_PAGES = 4  # browser pages open at once (one context)
NEWSCRAWL_JS_TIMEOUT_SECONDS = 30.0  # browser launch, navigation, waiting for a list
NEWSCRAWL_JS_CATEGORY_ITEMS = 0  # > 0: render category pages, load more up to this many links
NEWSCRAWL_JS_CATEGORIES = ["report", "trending", "entertainment", "mobility", "photonews",
                           "economy", "life"]
NEWSCRAWL_JS_MAX_CLICKS = 20  # load-more clicks per category page, at most

# --- State and incremental runs --------------------------------------------------------------
NEWSCRAWL_STATE_ENABLED = True
NEWSCRAWL_STATE_BACKEND = "sqlite"
# %(site)s: the host (and port) of NEWSCRAWL_BASE_URL, so the replica never shares a state
NEWSCRAWL_STATE_PATH = "state/%(name)s-%(site)s.sqlite3"
NEWSCRAWL_LOCK_PATH = "state/%(name)s-%(site)s.lock"
NEWSCRAWL_FULL_CRAWL_ENABLED = False
NEWSCRAWL_RECRAWL_WINDOW_HOURS = 24.0

# --- Run health ------------------------------------------------------------------------------
NEWSCRAWL_HEALTH_ENABLED = True
NEWSCRAWL_MIN_PARSED_SHARE = 0.5
NEWSCRAWL_FAIL_ON_ERROR = True

# --- Watching the runs (newscrawl.monitoring; README "Watching the runs") ---------------------
NEWSCRAWL_MONITOR_ENABLED = True
NEWSCRAWL_MONITOR_HISTORY_PATH = ""  # empty: <NEWSCRAWL_STATE_PATH without suffix>.runs.jsonl
NEWSCRAWL_MONITOR_HISTORY_RUNS = 100
NEWSCRAWL_MONITOR_BASELINE_RUNS = 5
NEWSCRAWL_MONITOR_MIN_ARTICLES = 20
NEWSCRAWL_MONITOR_PROVENANCE_DROP = 0.3
NEWSCRAWL_MONITOR_COVERAGE_DROP = 0.3
NEWSCRAWL_MONITOR_LAYOUT_SEVERITY = "fail"  # or "warn"
NEWSCRAWL_MONITOR_SCHEMA_INVALID_MAX_SHARE = 0.01
NEWSCRAWL_MONITOR_RETRY_MAX_SHARE = 0.2
NEWSCRAWL_MONITOR_ERROR_STATUS_MAX_SHARE = 0.1
NEWSCRAWL_MONITOR_SLOW_FACTOR = 3.0
NEWSCRAWL_SCHEMA_CHECK_ENABLED = True
NEWSCRAWL_REPORT_ENABLED = True
NEWSCRAWL_REPORT_URI = ""  # empty: <feed stem>.report.html
NEWSCRAWL_CARD_ENABLED = True
NEWSCRAWL_CARD_URI = ""  # empty: <feed stem>.card.md
NEWSCRAWL_ALERT_ON = "degraded"  # or "failed"
NEWSCRAWL_ALERT_EMAIL_TO: list[str] = []  # SMTP through Scrapy's MAIL_* settings
NEWSCRAWL_ALERT_WEBHOOK_URL = ""
NEWSCRAWL_ALERT_COMMAND = ""
NEWSCRAWL_ALERT_TIMEOUT_SECONDS = 30.0
NEWSCRAWL_PROGRESS_ENABLED = True
NEWSCRAWL_PROGRESS_INTERVAL_SECONDS = 60.0

# --- Distributed mode (newscrawl.distributed; README "Running on several machines") -----------
# A Redis URL (redis://host:6379/0, rediss://…, unix:///path/redis.sock): many workers share one
# crawl. Empty: the embedded crawl, exactly as without it.
NEWSCRAWL_REDIS_URL = ""
