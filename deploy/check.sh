#!/bin/sh
# Boot the production configuration on this machine's PostgreSQL and Redis and check health,
# a login and a report job through RQ (see deploy/check.py). Run from anywhere.
set -e
cd "$(dirname "$0")/.."
exec .venv/bin/python deploy/check.py "$@"
