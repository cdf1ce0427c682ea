"""Spiders: crawl policy only."""
