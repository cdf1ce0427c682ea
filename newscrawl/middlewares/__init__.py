"""Downloader middlewares of the project."""
