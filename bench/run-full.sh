#!/usr/bin/env bash
# Full run (~16 minutes with three targets): S1 1k/2k/5k, S2 x2, S3, S4 with 2,000 and 10,000 streams.
# Extra options go to the harness, e.g. --targets stub,nginx (see bench/README.md).
exec "$(dirname "${BASH_SOURCE[0]}")/bench.sh" --profile full "$@"
