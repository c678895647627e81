#!/usr/bin/env bash
# One version number: Makefile, vid.control and META.json must agree.
set -euo pipefail
cd "$(dirname "$0")/.."
make_v=$(sed -n 's/^EXTVERSION = //p' Makefile)
control_v=$(sed -n "s/^default_version = '\(.*\)'/\1/p" vid.control)
meta_v=$(python3 -c 'import json; m = json.load(open("META.json")); print(m["version"]); assert m["provides"]["vid"]["version"] == m["version"]')
echo "Makefile $make_v, vid.control $control_v, META.json $meta_v"
[ -n "$make_v" ] && [ "$make_v" = "$control_v" ] && [ "$make_v" = "$meta_v" ]
