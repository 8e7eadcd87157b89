"""Production settings plus the benchmark's reference views (benchmarks/urls.py).

`make bench` serves the site with these through gunicorn: everything is the production
configuration (DEBUG off, whitenoise, the cache, cached sessions, persistent database
connections), except the URLconf, which adds the trivial and floor views the pages and
the rush are measured against."""

from clermontech.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
