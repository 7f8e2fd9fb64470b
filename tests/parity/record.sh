#!/usr/bin/env bash
# Record the CORS parity goldens from the real Python libraries and check they are unchanged.
#
#   bash tests/parity/record.sh          # from anywhere in the repository
#
# 1. creates tests/parity/.venv (gitignored) with python3 -m venv if it is missing,
# 2. installs tests/parity/requirements.txt into it (again only when that file changed),
# 3. runs record.py, which rewrites tests/parity/goldens/,
# 4. exits non-zero if the goldens differ from what is committed (modified, new or deleted files),
#    so CI proves the goldens are reproducible. After an intended change, commit the new goldens.
#
# Needs only Python 3.11 (python3.11, or python3 when that is 3.11) and access to PyPI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"

if [[ -z "${PYTHON:-}" ]]; then
    if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
    echo "record.sh: warning: $("$PYTHON" -V 2>&1) is not Python 3.11; the goldens were recorded with 3.11" >&2
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "record.sh: creating $venv"
    "$PYTHON" -m venv "$venv"
fi

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "record.sh: installing requirements.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

"$venv/bin/python" "$here/record.py" "$@"

cd "$here"
if [[ -n "$(git status --porcelain --untracked-files=all -- goldens)" ]]; then
    echo "record.sh: the recorded goldens differ from the committed ones:" >&2
    git status --short --untracked-files=all -- goldens >&2
    git --no-pager diff --stat -- goldens >&2
    exit 1
fi
echo "record.sh: goldens reproduced; no changes"
