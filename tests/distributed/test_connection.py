"""``NEWSCRAWL_REDIS_URL``: off when empty, one line and exit 2 when Redis cannot be used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.config import BadSetting
from newscrawl.distributed.connection import connect
from newscrawl.distributed.demo import RedisServer
from newscrawl.distributed.url import masked, redis_url
from tests.support import ROOT, built_crawler


def test_masked_hides_the_password() -> None:
    assert masked("redis://:s3cret@db.example:6380/2") == "redis://:***@db.example:6380/2"
    assert masked("redis://ops:s3cret@db.example/0") == "redis://ops:***@db.example/0"
    assert masked("unix:///run/redis.sock") == "unix:///run/redis.sock"


def test_empty_means_off() -> None:
    assert redis_url(Settings({"NEWSCRAWL_REDIS_URL": ""})) == ""
    assert redis_url(Settings({})) == ""


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "127.0.0.1:6379", "redis-host"])
def test_not_a_redis_url(url: str) -> None:
    with pytest.raises(BadSetting, match="bad setting NEWSCRAWL_REDIS_URL: must be a redis"):
        connect(url)


def test_unreachable_redis_is_a_bad_setting_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(BadSetting) as caught:
        connect(f"unix://:s3cret@{tmp_path}/no.sock")
    message = str(caught.value)
    assert message.startswith("bad setting NEWSCRAWL_REDIS_URL: cannot reach Redis at unix://")
    assert "s3cret" not in message
    assert "\n" not in message


def test_off_by_default_the_crawl_is_the_embedded_one(tmp_path: Path) -> None:
    crawler = built_crawler(tmp_path)
    assert crawler.settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert not any("distributed" in str(path) for path in crawler.settings["EXTENSIONS"])
    assert "distributed" not in str(crawler.settings["NEWSCRAWL_LOCK_PATH"])


def test_on_it_installs_the_redis_scheduler_and_a_worker_slot(tmp_path: Path,
                                                              server: RedisServer) -> None:
    # the default feed, which the add-on makes per worker (-O would name one file for both)
    first = built_crawler(tmp_path, NEWSCRAWL_REDIS_URL=server.url, FEEDS={},
                          NEWSCRAWL_FEED_URI=str(tmp_path / "%(time)s.jsonl"))
    second = built_crawler(tmp_path, NEWSCRAWL_REDIS_URL=server.url, FEEDS={},
                           NEWSCRAWL_FEED_URI=str(tmp_path / "%(time)s.jsonl"))
    for crawler in (first, second):
        assert crawler.settings["SCHEDULER"].endswith("distributed.scheduler.RedisScheduler")
    locks = {first.settings["NEWSCRAWL_LOCK_PATH"], second.settings["NEWSCRAWL_LOCK_PATH"]}
    assert locks == {str(tmp_path / "run.w0.lock"), str(tmp_path / "run.w1.lock")}


def test_crawl_with_unreachable_redis_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "kangnamtimes",
         "-a", "base_url=http://127.0.0.1:9/ja/", "-O", str(tmp_path / "out.jsonl"),
         "-s", f"NEWSCRAWL_REDIS_URL=unix://{tmp_path}/gone.sock",
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path}/state.sqlite3",
         "-s", f"NEWSCRAWL_LOCK_PATH={tmp_path}/run.lock"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "bad setting NEWSCRAWL_REDIS_URL: cannot reach Redis at unix://" in last
    assert not list(tmp_path.glob("out.jsonl*"))


def test_a_server_that_stops_answering_is_reported(server: RedisServer) -> None:
    connect(server.url).ping()
    server.stop()
    with pytest.raises(BadSetting, match="cannot reach Redis"):
        connect(server.url)


def test_redis_server_helper_refuses_to_pretend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match="redis-server not found"):
        RedisServer()
