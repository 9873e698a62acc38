#!/bin/sh
# Stand-in for `alloy` in the agent's tests. `--version` prints a version line like Alloy's.
# Started as `run <config.alloy> …`, it works in the directory of that file:
#   - appends `pid=… bearer=… args=…` to starts.log (the bearer read from the bootstrap file),
#   - exits with the code written in ./crash when that file exists,
#   - otherwise stays up until SIGTERM, which it records in terms.log before exiting 0.
if [ "$1" = "--version" ]; then
  echo "alloy, version v1.99.0-standin (branch: test, revision: 0000000)"
  exit 0
fi
dir=$(dirname "$2")
bearer=$(sed -n 's/^ *bearer_token *= *"\(.*\)"$/\1/p' "$2" | head -n 1)
echo "pid=$$ bearer=$bearer args=$*" >>"$dir/starts.log"
echo "standin: started pid=$$ args=$*"
if [ -f "$dir/crash" ]; then
  exit "$(cat "$dir/crash")"
fi
trap 'echo "pid=$$ signal=TERM" >>"$dir/terms.log"; kill "$sleeper" 2>/dev/null; exit 0' TERM
while :; do
  sleep 1 &
  sleeper=$!
  wait "$sleeper"
done
