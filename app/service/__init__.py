"""The pipeline service (`andon pipeline`): one long-lived process that pulls each source on
its own cron, lands files as they arrive in a watched inbox, builds and publishes when data
landed, and runs the report scheduler — restart-safe, with a status a person can read.

    schedule.py   each source's cron in its time zone, marks in the state store
    watch.py      a files inbox watched (watchdog events, polling as the truth)
    landing.py    one attempt at a source: a database pull or an inbox ingest
    build.py      when to build (from the warehouse's load log) and the build child
    heartbeat.py  the service's heartbeat and its one-instance lock
    service.py    the loop: PipelineService.tick() / serve()
    status.py     what `andon status` and the Data health page show: pipeline_status()
"""
