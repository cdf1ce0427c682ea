"""The replica of the Kangnam Times Japanese edition: generator, HTTP server, ground truth.

- :class:`newscrawl.demosite.generator.DemoSite`: one day of the site, generated on demand;
- :func:`newscrawl.demosite.server.serve_in_thread`: a context manager serving it on a free port;
- :func:`newscrawl.demosite.truth.iter_truth`: the ground truth, one dict per article.
"""
