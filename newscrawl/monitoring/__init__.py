"""Watching the runs: monitors, the Article JSON Schema, run history, reports, alerts,
progress and the dataset card (issue 14).

Plain functions and small classes, no crawler needed; the components that put them in a run
are :mod:`newscrawl.extensions.monitor`, :mod:`~newscrawl.extensions.report`,
:mod:`~newscrawl.extensions.card`, :mod:`~newscrawl.extensions.alerts`,
:mod:`~newscrawl.extensions.progress` and :class:`newscrawl.monitoring.pipeline.SchemaPipeline`.

* :mod:`.schema`: the JSON Schema of an output line, generated from ``newscrawl.items``;
* :mod:`.figures`: key figures read from a run's stats;
* :mod:`.verdict`: the monitors, ``judge_monitors(stats, history, settings) -> [Finding]``;
* :mod:`.history`: the run history file beside the state;
* :mod:`.observe`: per-article and per-page counters of a run;
* :mod:`.rundata`: a run as its report sees it, and its ``.run.json``;
* :mod:`.report` and :mod:`.charts`: the self-contained HTML report;
* :mod:`.card`, :mod:`.alerts`, :mod:`.progress`.
"""
