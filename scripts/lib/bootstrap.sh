# Sourced by scripts/run and scripts/test: make .venv (Python 3.11+) and install the project into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail

if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  mkdir -p -m 700 .tuoke/run && export XDG_RUNTIME_DIR="$PWD/.tuoke/run"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export PIP_DISABLE_PIP_VERSION_CHECK=1

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "tuoke needs Python 3.11 or newer on PATH" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv" >&2
  "$(find_python)" -m venv .venv
fi

stamp=".venv/.tuoke-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing tuoke and its dependencies into .venv (first run takes a couple of minutes)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -e '.[test]' 2>&1 | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
  .venv/bin/python -c 'import backend, bot, miniapp_api, schemas, litestar, asyncpg, torch' \
    || { echo "installation failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
