#!/usr/bin/env bash
# Set up vnocr on a fresh Debian machine (as root): Tesseract with the Vietnamese model,
# fonts for the synthetic-scan generator, a .venv with the package and its test extra.
# Idempotent: quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
[ -n "$(find /usr/share/tesseract-ocr -name vie.traineddata 2>/dev/null | head -1)" ] || need+=(tesseract-ocr-vie)
[ -n "$(find /usr/share/tesseract-ocr -name eng.traineddata 2>/dev/null | head -1)" ] || need+=(tesseract-ocr-eng)
[ -d /usr/share/fonts/truetype/liberation2 ] || need+=(fonts-liberation2)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.vnocr-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi
echo "setup: ready ($(.venv/bin/vnocr --version), $(tesseract --version 2>&1 | head -1))" >&2
