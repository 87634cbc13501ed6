# Sourced by bin/setup. `with_install_progress INTERVAL TOTAL COMMAND...` runs COMMAND (an installer
# that captures its own output, like `pipenv sync`) and, every INTERVAL seconds until it ends, prints
# how many of TOTAL packages .venv holds so far and the time spent: a silent minute reads as a hang.
# Returns COMMAND's exit code.
with_install_progress() {
  local interval="$1" total="$2"
  shift 2
  "$@" &
  local pid=$! start=$SECONDS waited
  while kill -0 "$pid" 2>/dev/null; do
    for ((waited = 0; waited < interval; waited++)); do
      kill -0 "$pid" 2>/dev/null || break 2
      sleep 1
    done
    local count
    count=$(find .venv/lib -maxdepth 3 -name '*.dist-info' -path '*/site-packages/*' 2>/dev/null | wc -l)
    echo "    ... ${count// /} of $total packages in .venv so far ($((SECONDS - start)) s)"
  done
  wait "$pid"
}
