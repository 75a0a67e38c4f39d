"""The production web server's settings, used by scripts/serve.sh, the README's
deployment section and bench/signin_burst.py:

    gunicorn yanxiu.wsgi -c python:yanxiu.gunicorn_conf

A sign-in burst is CPU-bound Python, and Python threads share one core per
process, so processes carry the load: two per core, each with two threads to
overlap database round trips. On 2 cores, bench/signin_burst.py signed 2,000
teachers in fastest with 4 workers x 2 threads (3x8 and 2x8 were 7% and 27%
slower). YANXIU_WEB_WORKERS and YANXIU_WEB_THREADS override the counts.
"""

import multiprocessing
import os

worker_class = "gthread"
workers = int(os.environ.get("YANXIU_WEB_WORKERS") or 2 * multiprocessing.cpu_count())
threads = int(os.environ.get("YANXIU_WEB_THREADS") or 2)
# Phones keep their connection between the scan, the confirm page and the button.
keepalive = 30
