#!/bin/sh
# One incremental crawl, for the crontab. Usage:
#
#   scripts/cron-crawl.sh [SPIDER] [scrapy crawl options...]
#
#   17 * * * *  /path/to/newscrawl/scripts/cron-crawl.sh
#
# - runs from the project directory with its virtual environment (.venv), whatever cron's
#   working directory, PATH and locale are;
# - logs to logs/%Y%m%d-%H%M.log (Scrapy's LOG_FILE); the output goes where FEEDS says
#   (output/<spider>/<UTC time>.jsonl), the state and the lock to state/;
# - follows the rankings (built by JavaScript) with Debian's Chromium: -a js=1 with
#   NEWSCRAWL_JS_ON_MISSING=continue, so a machine without a working Chromium still crawls
#   everything else and its summary says "rankings  NOT followed: Chromium is unavailable"
#   (pass -a js=0 to crawl without the browser);
# - keeps the newest $NEWSCRAWL_KEEP_OUTPUTS output files and logs (default 168: a week of
#   hourly runs; 0 keeps all);
# - exits with the crawl's status: 0 healthy, 1 failed (the reason is the log's last line, and
#   is printed to stderr, so cron mails it), 75 another run is still active.
set -u
cd "$(dirname "$0")/.." || exit 1
PATH="$PWD/.venv/bin:/usr/local/bin:/usr/bin:/bin"
LANG=C.UTF-8
LC_ALL=C.UTF-8
PYTHONIOENCODING=utf-8
export PATH LANG LC_ALL PYTHONIOENCODING

spider=kangnamtimes
case "${1-}" in
    ""|-*) ;;
    *) spider=$1; shift ;;
esac
mkdir -p logs
exec "$PWD/.venv/bin/scrapy" crawl "$spider" \
    -a js=1 -s NEWSCRAWL_JS_ON_MISSING=continue \
    -s LOG_FILE="logs/$(date +%Y%m%d-%H%M).log" \
    -s NEWSCRAWL_KEEP_OUTPUTS="${NEWSCRAWL_KEEP_OUTPUTS:-168}" \
    "$@"
