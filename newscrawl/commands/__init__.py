"""Custom scrapy commands."""
