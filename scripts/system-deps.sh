#!/usr/bin/env bash
# Debian packages the project needs: venv support for Python, and xmllint
# (used by the tests and the benchmark to cross-check the XML we write).
set -euo pipefail
missing=()
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv python3-pip)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installation des paquets système : ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "Paquets système manquants : ${missing[*]} (installez-les, par exemple avec apt-get)." >&2
    exit 1
fi
