#!/usr/bin/env bash
# Layer 2 of the end-to-end suite (`npm run e2e:stack`; needs Docker with the compose plugin):
#   1. the bundle's long-running services with `docker compose up -d --build --wait` (Grafana with the plugin built
#      from this checkout, Jaeger, Loki, Prometheus, Redis, the demo services), in a compose project of its own;
#   2. the demo's bounded load generator with one fault switched on (through the backend's admin endpoint, with the
#      token compose gives the load generator), so there is something for Hotpath to find;
#   3. the @grafana/plugin-e2e tests in e2e/stack (playwright.config.ts); extra arguments go to `playwright test`;
#   4. `docker compose down --volumes` on exit (success, failure or Ctrl-C) unless KEEP_STACK=1. On failure the
#      services' logs are saved to test-results/stack/compose.log first.
#
# Settings (environment):
#   GRAFANA_VERSION       Grafana release the image is built on (default: the one docker-compose.yml pins)
#   E2E_FAULT             the fault to switch on, one of demo/README.md's (default slow-redis=200ms; the specs read
#                         the same variable to know which operation must rank first)
#   E2E_LOAD_DURATION     how long the load generator runs (default 90s), E2E_LOAD_RATE requests/s (default 10),
#   E2E_LOAD_CONCURRENCY  requests in flight at most (default 20)
#   E2E_PROJECT           compose project name (default hotpath-e2e: a `docker compose up` of your own keeps its
#                         volumes; both publish the same host ports, so stop yours first)
#   KEEP_STACK=1          leave the stack running afterwards (e.g. to rerun `npx playwright test` against it)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# e2e/stack/support.ts reads this default from here (the specs must know which operation has to rank first).
export E2E_FAULT="${E2E_FAULT:-slow-redis=200ms}"
load_duration="${E2E_LOAD_DURATION:-90s}"
load_rate="${E2E_LOAD_RATE:-10}"
load_concurrency="${E2E_LOAD_CONCURRENCY:-20}"
project="${E2E_PROJECT:-hotpath-e2e}"
# The stack's Grafana login: compose's dev defaults unless set (the Playwright config reads the same variables).
export GRAFANA_ADMIN_USER="${GRAFANA_ADMIN_USER:-admin}"
export GRAFANA_ADMIN_PASSWORD="${GRAFANA_ADMIN_PASSWORD:-hotpath}"

if ! docker compose version >/dev/null 2>&1; then
  echo "e2e:stack needs Docker with the compose plugin (\`docker compose version\` failed)." >&2
  echo "Without Docker, \`npm run e2e:stack:list\` lists these tests and \`npm run ci\` runs layer 1." >&2
  exit 2
fi

compose() {
  docker compose --project-name "$project" "$@"
}

finish() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" -ne 0 ]; then
    mkdir -p test-results/stack
    compose logs --no-color --timestamps >test-results/stack/compose.log 2>&1 || true
    echo "e2e:stack failed (exit $status); service logs: test-results/stack/compose.log" >&2
  fi
  if [ "${KEEP_STACK:-}" = "1" ]; then
    echo "KEEP_STACK=1: the stack keeps running (Grafana http://localhost:3000)."
    echo "Stop it with: docker compose --project-name $project down --volumes"
  else
    compose down --volumes --remove-orphans || true
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# 1. Every service except the load generator: it is one-shot (it exits after DURATION), and `up --wait` counts an
#    exited container as a failure (docker/compose#10596); it runs on its own below.
services=()
while IFS= read -r service; do
  [ "$service" = loadgen ] || services+=("$service")
done < <(compose config --services)
echo "e2e:stack: starting ${services[*]} (Grafana ${GRAFANA_VERSION:-as pinned in docker-compose.yml})"
compose up --detach --build --wait --wait-timeout 600 "${services[@]}"
compose build loadgen

# 2. Exactly this fault ("none," first clears any other), then bounded load; the load generator exits 0 when done.
echo "e2e:stack: load for $load_duration at $load_rate/s with fault $E2E_FAULT"
compose run --rm --no-deps \
  -e FAULT="none,$E2E_FAULT" \
  -e DURATION="$load_duration" \
  -e RATE="$load_rate" \
  -e CONCURRENCY="$load_concurrency" \
  loadgen
# Telemetry is batched on its way: span and log exporters (~5 s), Jaeger's span metrics, Prometheus' 15 s scrape.
sleep 30

# 3. The tests (an auth setup project, then e2e/stack).
npx playwright test "$@"
