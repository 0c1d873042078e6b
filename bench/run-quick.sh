#!/usr/bin/env bash
# Quick run (<= 3 minutes, ~2 min 40 s): gateway warm-up 20 s, S1 at 1k and 5k rps, S2, S3, S4 with 2,000 streams, against stub, nginx, gateway.
# Extra options go to the harness, e.g. --targets stub,nginx (see bench/README.md).
exec "$(dirname "${BASH_SOURCE[0]}")/bench.sh" --profile quick "$@"
